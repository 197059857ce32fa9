// QuantizedModelTests: the folded program computes the model's logits; the int8 model stays close to
// the float one (every family, batch norms folded, a WRN's pre-activation BNs kept in float); the QDQ
// ONNX graph, written and read back and run by the project's interpreter, gives the int8 model's logits.

import KDExport
import KDNN
import KDQuant
import KDTensor
import XCTest

final class QuantizedModelTests: XCTestCase {
    let family: [(String, [Int])] = [
        ("mlp-32-16", [1, 8, 8]), ("lenet5", [1, 16, 16]), ("resnet8", [3, 8, 8]), ("wrn-16-1", [3, 8, 8]),
    ]

    func testFoldedProgramMatchesTheModel() throws {
        for (name, shape) in family {
            let model = try randomizedModel(name, shape)
            let x = randomImages(4, shape)
            let expected = noGrad { model.forward(x, .eval).logits }
            let program = try FoldedProgram(model: model)
            let got = try program.floatForward(x)
            let scale = max(1, expected.scalars.map(abs).max() ?? 0)
            let diff = zip(got.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(diff / scale, 1e-4, name)
        }
    }

    func testInt8LogitsStayCloseToFloat() throws {
        for (name, shape) in family {
            let model = try randomizedModel(name, shape)
            let x = randomImages(32, shape)
            let (program, int8) = try quantized(model, calibratedOn: x)
            let zf = try program.floatForward(x), zq = try int8.forward(x)
            XCTAssertEqual(zq.shape, zf.shape)
            // 8-bit steps: each layer adds at most about half a step of its input and weights, relative error
            // of order 1/255 per layer; a few layers stay well inside 10% of the logits' range.
            let range = (zf.scalars.max() ?? 0) - (zf.scalars.min() ?? 0)
            let diff = zip(zq.scalars, zf.scalars).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(diff, 0.1 * range, "\(name): largest difference \(diff), logit range \(range)")
            let agree = zip(argmax(zq), argmax(zf)).filter { $0 == $1 }.count
            XCTAssertGreaterThanOrEqual(Double(agree) / 32, 0.8, name)
        }
    }

    func testWRNKeepsItsPreActivationBatchNormsInFloat() throws {
        let model = try randomizedModel("wrn-16-1", [3, 8, 8])
        let (_, int8) = try quantized(model, calibratedOn: randomImages(4, [3, 8, 8]))
        XCTAssertFalse(int8.floatConstants.isEmpty)
        for name in int8.floatConstants.keys {
            XCTAssertTrue([".scale", ".bias", ".mean", ".var"].contains { name.hasSuffix($0) }, name)
        }
    }

    func testQDQGraphRunsLikeTheInt8Model() throws {
        for (name, shape) in family {
            let model = try randomizedModel(name, shape)
            let x = randomImages(8, shape)
            let (_, int8) = try quantized(model, calibratedOn: x)
            let c = shape[0]
            let norm = CheckpointMetadata.Normalization(
                mean: [Float](repeating: 0.25, count: c), std: [Float](repeating: 0.5, count: c))
            let onnx = try QDQExport.model(int8, normalization: norm)
            let decoded = try ONNX.Model(decoding: onnx.serialized())
            let ops = Set(decoded.graph.nodes.map(\.opType))
            XCTAssertTrue(ops.isSuperset(of: ["QuantizeLinear", "DequantizeLinear", "Sub", "Div"]), "\(name): \(ops)")
            XCTAssertTrue(decoded.graph.initializers.contains { $0.dataType == .int8 }, name)
            XCTAssertTrue(decoded.graph.initializers.contains { $0.dataType == .int32 }, name)
            // Pixels whose normalisation is x.
            let pixels = x * Tensor(shape: [1, c, 1, 1], scalars: norm.std) + Tensor(shape: [1, c, 1, 1], scalars: norm.mean)
            let viaGraph = try ONNXInterpreter.run(decoded, input: pixels)
            let direct = try int8.forward(
                (pixels - Tensor(shape: [1, c, 1, 1], scalars: norm.mean)) / Tensor(shape: [1, c, 1, 1], scalars: norm.std))
            let scale = max(1, direct.scalars.map(abs).max() ?? 0)
            let diff = zip(viaGraph.scalars, direct.scalars).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(diff / scale, 2e-2, name)
            XCTAssertEqual(argmax(viaGraph), argmax(direct), name)
        }
    }

    func testMissingRangeIsAOneLineError() throws {
        let program = try FoldedProgram(model: try randomizedModel("lenet5", [1, 16, 16]))
        XCTAssertThrowsError(try QuantizedModel(program: program, ranges: [:])) { error in
            XCTAssertTrue("\(error)".contains("expected a range for layer"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }
}
