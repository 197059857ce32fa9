// ZooTests: the model zoo against docs/models.md: parameter counts, PyTorch state_dict names and shapes
// (golden list from scripts/golden/zoo_golden.py), tap shapes, FLOPs, and name validation.

import KDNN
import KDTensor
import TestSupport
import XCTest

final class ZooTests: XCTestCase {
    func model(_ name: String, _ shape: [Int] = [3, 32, 32]) throws -> Model {
        try Zoo.build(ModelSpec(name: name, inputShape: shape, numClasses: 10), seed: 0)
    }

    func testParameterCountsMatchModelsDoc() throws {
        let cifar: [(String, Int)] = [
            ("resnet8", 78_042), ("resnet20", 272_474), ("resnet32", 466_906),
            ("resnet56", 855_770), ("resnet8x4", 1_210_410), ("resnet32x4", 7_410_730),
        ]
        for (name, count) in cifar {
            XCTAssertEqual(try model(name).parameterCount, count, name)
            // On 1x28x28 the stem loses two input channels: 2·9·w0 weights (288 for w0 = 16).
            let stemWidth = name.hasSuffix("x4") ? 32 : 16
            XCTAssertEqual(try model(name, [1, 28, 28]).parameterCount, count - 18 * stemWidth, "\(name) on 1x28x28")
        }
        XCTAssertEqual(try model("mlp-1200-1200", [1, 28, 28]).parameterCount, 2_395_210)
        XCTAssertEqual(try model("mlp-800-800", [1, 28, 28]).parameterCount, 1_276_810)
        XCTAssertEqual(try model("lenet5", [1, 28, 28]).parameterCount, 61_706)
    }

    func testStateNamesAndShapesMatchPyTorch() throws {
        for (name, channels, size, expected) in zooGolden {
            let m = try model(name, [channels, size, size])
            let ours = m.state.filter { !$0.name.hasSuffix("num_batches_tracked") }.map { ($0.name, $0.tensor.shape) }
            XCTAssertEqual(ours.map(\.0), expected.map(\.0), "\(name) names")
            XCTAssertEqual(ours.map(\.1), expected.map(\.1), "\(name) shapes")
        }
    }

    func testTapShapes() throws {
        let r = try model("resnet20").tapShapes(batch: 2)
        XCTAssertEqual(r["stem"], [2, 16, 32, 32])
        XCTAssertEqual(r["layer1"], [2, 16, 32, 32])
        XCTAssertEqual(r["layer2"], [2, 32, 16, 16])
        XCTAssertEqual(r["layer3"], [2, 64, 8, 8])
        XCTAssertEqual(r["layer3.preact"], [2, 64, 8, 8])
        XCTAssertEqual(r["pool"], [2, 64])
        XCTAssertEqual(r["logits"], [2, 10])
        let l = try model("lenet5", [1, 28, 28]).tapShapes()
        XCTAssertEqual(l["conv1"], [1, 6, 14, 14])
        XCTAssertEqual(l["conv2"], [1, 16, 5, 5])
        XCTAssertEqual(l["fc1"], [1, 120])
        XCTAssertEqual(l["fc2"], [1, 84])
        let w = try model("wrn-16-2").tapShapes()
        XCTAssertEqual(w["block1"], [1, 32, 32, 32])
        XCTAssertEqual(w["block3"], [1, 128, 8, 8])
        XCTAssertEqual(w["pool"], [1, 128])
        let m = try model("mlp-800-800", [1, 28, 28]).tapShapes()
        XCTAssertEqual(m["hidden2"], [1, 800])
        for name in ["resnet8", "lenet5", "wrn-16-1", "mlp-100"] {
            let mm = try model(name, name == "lenet5" || name.hasPrefix("mlp") ? [1, 28, 28] : [3, 32, 32])
            XCTAssertEqual(Set(mm.tapShapes().keys), Set(mm.tapNames), name)
        }
    }

    func testFlops() throws {
        // ResNet-20 on 3x32x32 is about 41 M multiply-adds (docs/models.md).
        let flops = try model("resnet20").flopsPerImage
        XCTAssertEqual(Double(flops) / 2e6, 41, accuracy: 1.0)
        XCTAssertEqual(try model("mlp-800-800", [1, 28, 28]).flopsPerImage, 2 * (784 * 800 + 800 * 800 + 800 * 10))
    }

    func testNamesAreValidatedWithAClearError() {
        for bad in [
            "resnet21", "resnet", "mlp-", "mlp-0", "wrn-16", "wrn-15-2", "vgg16", "lenet", "resnet+14", "resnet014",
            "resnet1208", "mlp-+8", "mlp-08", "wrn-+16-2", "wrn-16-02",
        ] {
            XCTAssertFalse(Zoo.isValidName(bad), bad)
            XCTAssertThrowsError(try model(bad)) { XCTAssertTrue("\($0)".contains(bad), "\($0)") }
        }
        for good in Zoo.listedNames + ["resnet26", "resnet20x4", "resnet1202", "wrn-28-10", "mlp-7"] {
            XCTAssertTrue(Zoo.isValidName(good), good)
        }
    }

    func testSameSeedSameWeightsAndTrainEvalModes() throws {
        let a = try model("resnet8"), b = try model("resnet8")
        XCTAssertEqual(a.state.map { $0.tensor.scalars }, b.state.map { $0.tensor.scalars })
        let x = randomTensor([4, 3, 32, 32])
        let train = a.forward(x, ForwardContext(training: true)).logits
        let eval = a.forward(x, .eval).logits
        XCTAssertNotEqual(train.scalars, eval.scalars, "BN must use batch statistics in training mode")
        XCTAssertNotEqual(a.state.first { $0.name == "bn1.running_mean" }!.tensor.scalars, [Float](repeating: 0, count: 16))
    }

    func testResNetGradientsFlowToEveryParameter() throws {
        let m = try model("resnet8")
        let out = m.forward(randomTensor([3, 3, 32, 32]), ForwardContext(training: true))
        crossEntropy(out.logits, labels: [1, 2, 3]).backward()
        for p in m.state where p.role == .parameter { XCTAssertNotNil(p.tensor.grad, p.name) }
    }
}
