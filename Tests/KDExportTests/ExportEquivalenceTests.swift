// ExportEquivalenceTests: every zoo family exported, written, read back by the project's own reader and
// run by the interpreter gives the model's logits within 1e-4 (relative), with batch norms folded or
// kept, the normalisation folded or as nodes, a symbolic or fixed batch; and the graphs hold what the
// options say (no BatchNormalization left where every BN follows a conv, no Sub/Div when folded).

import KDExport
import KDNN
import KDTensor
import XCTest

final class ExportEquivalenceTests: XCTestCase {
    /// One member of each family, small enough to run in a fraction of a second.
    let family: [(String, [Int])] = [
        ("mlp-32-16", [1, 8, 8]), ("lenet5", [1, 16, 16]), ("lenet5", [3, 20, 18]), ("resnet8", [3, 8, 8]),
        ("resnet8x4", [1, 8, 8]), ("resnet14", [3, 6, 6]), ("wrn-16-1", [3, 8, 8]), ("wrn-16-2", [1, 7, 7]),
    ]

    let variants: [ONNXExportOptions] = [
        ONNXExportOptions(), ONNXExportOptions(normalization: .nodes, foldBatchNorm: false, batch: 3),
        ONNXExportOptions(normalization: .folded, foldBatchNorm: false), ONNXExportOptions(normalization: .nodes, batch: 3),
    ]

    func testEveryFamilyMatchesItsForwardPass() throws {
        for (name, shape) in family {
            let model = try randomizedModel(name, shape)
            let norm = randomNormalization(channels: shape[0])
            let pixels = randomPixels(3, shape)
            for options in variants {
                let (onnx, exported, expected) = try exportAndRun(model, norm, options, pixels: pixels)
                let what = "\(name) \(shape) \(options)"
                XCTAssertEqual(exported.shape, [3, 5], what)
                XCTAssertLessThan(relativeDifference(exported, expected), 1e-4, what)
                let ops = Set(onnx.graph.nodes.map(\.opType))
                XCTAssertTrue(
                    ops.isSubset(of: [
                        "Conv", "Gemm", "Relu", "Add", "Sub", "Div", "MaxPool", "GlobalAveragePool", "Flatten",
                        "BatchNormalization",
                    ]),
                    "\(what): \(ops)")
                XCTAssertEqual(ops.contains("Sub"), options.normalization == .nodes, what)
                let kept = onnx.graph.nodes.filter { $0.opType == "BatchNormalization" }.count
                let batchNorms = model.state.filter { $0.name.hasSuffix("running_mean") }.count
                // A WRN's pre-activation BNs (one per block, plus the head's) read a sum, not a conv; only the
                // first block's reads the stem conv alone, when that block widens (a conv shortcut of pre).
                let widens = name.hasPrefix("wrn") && !name.hasSuffix("-1")
                let unfoldable = name.hasPrefix("wrn") ? (Zoo.residualBlockCount(name) ?? 0) + 1 - (widens ? 1 : 0) : 0
                XCTAssertEqual(kept, options.foldBatchNorm ? unfoldable : batchNorms, what)
            }
        }
    }

    func testFoldedBatchNormGivesTheSameLogitsAsKeptBatchNorm() throws {
        let model = try randomizedModel("resnet8", [3, 8, 8])
        let norm = randomNormalization(channels: 3)
        let pixels = randomPixels(4, [3, 8, 8], seed: 5)
        let folded = try exportAndRun(model, norm, ONNXExportOptions(), pixels: pixels)
        let kept = try exportAndRun(model, norm, ONNXExportOptions(normalization: .nodes, foldBatchNorm: false), pixels: pixels)
        XCTAssertLessThan(relativeDifference(folded.exported, kept.exported), 1e-4)
        XCTAssertLessThan(folded.onnx.graph.nodes.count, kept.onnx.graph.nodes.count)
    }

    func testBatchDimension() throws {
        let model = try randomizedModel("lenet5", [1, 16, 16])
        let norm = randomNormalization(channels: 1)
        let dynamic = try ONNXExport.model(model, normalization: norm)
        XCTAssertEqual(dynamic.graph.inputs.map(\.shape), [[.param("batch"), .value(1), .value(16), .value(16)]])
        XCTAssertEqual(dynamic.graph.outputs.map(\.name), ["logits"])
        XCTAssertEqual(dynamic.graph.outputs.map(\.shape), [[.param("batch"), .value(5)]])
        XCTAssertTrue(dynamic.graph.valueInfo.allSatisfy { $0.shape.first == .param("batch") })
        for n in [1, 7] { XCTAssertEqual(try ONNXInterpreter.run(dynamic, input: randomPixels(n, [1, 16, 16])).shape, [n, 5]) }
        let fixed = try ONNXExport.model(model, normalization: norm, options: ONNXExportOptions(batch: 2))
        XCTAssertEqual(fixed.graph.inputs.first?.shape.first, .value(2))
        XCTAssertEqual(fixed.graph.outputs.first?.shape, [.value(2), .value(5)])
        XCTAssertNoThrow(try ONNXInterpreter.run(fixed, input: randomPixels(2, [1, 16, 16])))
        XCTAssertThrowsError(try ONNXInterpreter.run(fixed, input: randomPixels(3, [1, 16, 16])))
        XCTAssertNoThrow(try ONNXInterpreter.run(fixed, input: randomPixels(3, [1, 16, 16]), checkBatch: false))
    }

    func testIdentityNormalizationAddsNothing() throws {
        let model = try randomizedModel("resnet8", [1, 8, 8])
        let identity = CheckpointMetadata.Normalization(mean: [0], std: [1])
        for placement in [ONNXExportOptions.Normalization.folded, .nodes] {
            let onnx = try ONNXExport.model(model, normalization: identity, options: ONNXExportOptions(normalization: placement))
            XCTAssertEqual(onnx.metadataValue("normalization_in_graph"), "none")
            XCTAssertFalse(onnx.graph.nodes.contains { ["Sub", "Div"].contains($0.opType) || $0.name.hasSuffix("border_add") })
        }
    }

    func testEveryListedZooModelHasALayerGraph() throws {
        for name in Zoo.listedNames {
            let shape = name.hasPrefix("mlp") || name == "lenet5" ? [1, 16, 16] : [3, 8, 8]
            let model = try Zoo.build(ModelSpec(name: name, inputShape: shape, numClasses: 10), seed: 0)
            XCTAssertNotNil(model.layerGraph, name)
        }
    }
}
