// FakeQuantizationTests: quantization-aware training's wiring in KDNN: a point on exactly the LayerGraph's
// conv and linear steps of every zoo model, the moving-average observer against hand-computed values, no
// observation outside training, and the checkpoint metadata of the ranges read back bit for bit.

import KDNN
import KDTensor
import TestSupport
import XCTest

final class FakeQuantizationTests: XCTestCase {
    static let models: [(String, [Int])] = [
        ("lenet5", [1, 28, 28]), ("mlp-20-10", [1, 6, 6]), ("resnet8", [3, 8, 8]), ("wrn-16-1", [3, 8, 8]),
    ]

    func testPointsCoverExactlyTheLayerGraphsConvAndLinearSteps() throws {
        for (name, shape) in Self.models {
            let model = try Zoo.build(ModelSpec(name: name, inputShape: shape, numClasses: 10), seed: 0)
            let q = try FakeQuantization.attach(to: model)
            let steps: [String] = model.layerGraph!.nodes.compactMap {
                switch $0.step {
                case .conv(let p, _, _), .linear(let p): return p
                default: return nil
                }
            }
            XCTAssertEqual(q.points.map(\.prefix), steps, name)
            XCTAssertTrue(q.points.allSatisfy { $0.range == nil }, name)
            // One training pass observes every point (every layer gets the context); evaluation observes none.
            let x = randomTensor([2] + shape, seed: 3)
            _ = noGrad { model.forward(x, .eval) }
            XCTAssertTrue(q.points.allSatisfy { $0.range == nil }, "\(name): evaluation must not observe")
            _ = model.forward(x, ForwardContext(training: true))
            for p in q.points { XCTAssertNotNil(p.range, "\(name): \(p.prefix) not observed") }
        }
    }

    func testObserverIsAMovingAverageOfBatchMinAndMax() {
        let point = FakeQuantPoint(prefix: "fc1.")
        let training = ForwardContext(training: true)
        _ = point.input(Tensor(shape: [4], scalars: [-1, 0.5, 2, 0]), training)
        XCTAssertEqual(point.range?.lo, -1)  // the first batch initialises
        XCTAssertEqual(point.range?.hi, 2)
        _ = point.input(Tensor(shape: [3], scalars: [-3, 1, 12]), training)
        // lo = -1 + 0.01·(-3 − (-1)) = -1.02; hi = 2 + 0.01·(12 − 2) = 2.1 (in float arithmetic).
        XCTAssertEqual(point.range?.lo, Float(-1) + Float(0.01) * (Float(-3) - Float(-1)))
        XCTAssertEqual(point.range!.lo, -1.02, accuracy: 1e-6)
        XCTAssertEqual(point.range!.hi, 2.1, accuracy: 1e-6)
        // Evaluation reads the range without moving it, and rounds to its grid: scale 3.12 / 255.
        let y = point.input(Tensor(shape: [2], scalars: [0.3, 50]), .eval)
        XCTAssertEqual(point.range!.hi, 2.1, accuracy: 1e-6)
        let p = Int8Scheme.activationParams(min: point.range!.lo, max: point.range!.hi)
        XCTAssertEqual(y.scalars, [p.fakeQuantize(0.3), p.dequantize(255)])
    }

    func testQuantizedForwardIsTheFloatForwardOnQuantizedInputsAndWeights() throws {
        let model = try Zoo.build(ModelSpec(name: "mlp-5", inputShape: [1, 2, 3], numClasses: 4), seed: 1)
        let float = try Zoo.build(ModelSpec(name: "mlp-5", inputShape: [1, 2, 3], numClasses: 4), seed: 1)
        let q = try FakeQuantization.attach(to: model)
        try q.setRanges(["fc1": QuantRange(lo: -2, hi: 2), "fc2": QuantRange(lo: 0, hi: 3)], source: "test")
        let x = randomTensor([3, 1, 2, 3], seed: 5)
        // By hand: quantize x with fc1's range, fc1's weight per channel, ReLU, quantize with fc2's range, fc2.
        let fc1 = float.state.filter { $0.name.hasPrefix("fc1.") }.map(\.tensor)
        let fc2 = float.state.filter { $0.name.hasPrefix("fc2.") }.map(\.tensor)
        let a = fakeQuantize(x.flattened(), Int8Scheme.activationParams(min: -2, max: 2))
        let h = linear(a, weight: fakeQuantize(fc1[0], perChannel: Int8Scheme.weightParams(of: fc1[0])), bias: fc1[1]).relu()
        let b = fakeQuantize(h, Int8Scheme.activationParams(min: 0, max: 3))
        let expected = linear(b, weight: fakeQuantize(fc2[0], perChannel: Int8Scheme.weightParams(of: fc2[0])), bias: fc2[1])
        XCTAssertEqual(noGrad { model.forward(x, .eval).logits }.scalars, expected.scalars)
        XCTAssertNotEqual(noGrad { float.forward(x, .eval).logits }.scalars, expected.scalars)
    }

    func testRangesRoundTripThroughCheckpointMetadataBitForBit() throws {
        let model = try Zoo.build(ModelSpec(name: "lenet5", inputShape: [1, 28, 28], numClasses: 10), seed: 0)
        let q = try FakeQuantization.attach(to: model)
        _ = model.forward(randomTensor([3, 1, 28, 28], seed: 1), ForwardContext(training: true))
        _ = model.forward(randomTensor([3, 1, 28, 28], seed: 2, std: 2), ForwardContext(training: true))
        let meta = q.metadata
        XCTAssertEqual(meta["quantize"], "int8")
        let text = try XCTUnwrap(meta["kdistill.quant_ranges"])
        XCTAssertTrue(text.hasPrefix(#"{"conv1":["#), text)  // QuantRanges' layer names: no final dot
        let other = try Zoo.build(ModelSpec(name: "lenet5", inputShape: [1, 28, 28], numClasses: 10), seed: 4)
        let restored = try XCTUnwrap(FakeQuantization.attachIfQuantized(to: other, metadata: meta, source: "x"))
        for (a, b) in zip(q.points, restored.points) {
            XCTAssertEqual(a.prefix, b.prefix)
            XCTAssertEqual(a.range!.lo.bitPattern, b.range!.lo.bitPattern)
            XCTAssertEqual(a.range!.hi.bitPattern, b.range!.hi.bitPattern)
        }
        XCTAssertNil(try FakeQuantization.attachIfQuantized(to: other, metadata: [:], source: "x"))
        XCTAssertThrowsError(
            try FakeQuantization.attachIfQuantized(
                to: other, metadata: ["quantize": "int8", "kdistill.quant_ranges": #"{"conv1.":[2,1]}"#], source: "f.safetensors")
        ) { XCTAssertTrue("\($0)".contains("kdistill.quant_ranges"), "\($0)") }
    }
}
