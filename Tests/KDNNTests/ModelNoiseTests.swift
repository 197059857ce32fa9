// ModelNoiseTests: the training-only noise of a noised student: stochastic depth (Huang et al. 2016)
// survival formula, per-sample keep rate and scaling, gradients with fixed masks, reproducible draws,
// eval mode equal to the plain model, and head dropout (replacing an MLP's dropout at the head).

import KDNN
import KDTensor
import TestSupport
import XCTest

final class ModelNoiseTests: XCTestCase {
    func build(_ name: String, _ shape: [Int] = [3, 8, 8], dropout: Float = 0, head: Float = 0, survival: Float = 1)
        throws -> Model
    {
        try Zoo.build(
            ModelSpec(
                name: name, inputShape: shape, numClasses: 10, dropout: dropout, headDropout: head, stochasticDepth: survival),
            seed: 0)
    }

    func testSurvivalFollowsLinearDecay() throws {
        // p_l = 1 − (l/L)(1 − p_L) for blocks l = 1..L in forward order.
        XCTAssertEqual(StochasticDepth.survival(block: 9, of: 9, last: 0.8), 0.8, accuracy: 1e-7)
        XCTAssertEqual(StochasticDepth.survival(block: 3, of: 6, last: 0.5), 0.75, accuracy: 1e-7)
        let resnet = try XCTUnwrap(try build("resnet20", survival: 0.8) as? ResNet)
        XCTAssertEqual(resnet.blockSurvival.count, 9)
        for (i, p) in resnet.blockSurvival.enumerated() {
            XCTAssertEqual(p, 1 - Float(i + 1) / 9 * 0.2, accuracy: 1e-6, "block \(i + 1)")
        }
        let wrn = try XCTUnwrap(try build("wrn-16-1", survival: 0.5) as? WideResNet)
        XCTAssertEqual(wrn.blockSurvival.map { ($0 * 1e5).rounded() / 1e5 }, [0.91667, 0.83333, 0.75, 0.66667, 0.58333, 0.5])
        XCTAssertEqual(try XCTUnwrap(try build("resnet8") as? ResNet).blockSurvival, [1, 1, 1], "off by default")
        XCTAssertEqual(Zoo.residualBlockCount("resnet20"), 9)
        XCTAssertEqual(Zoo.residualBlockCount("wrn-40-2"), 18)
        XCTAssertEqual(Zoo.residualBlockCount("lenet5"), 0)
        XCTAssertEqual(Zoo.residualBlockCount("mlp-800-800"), 0)
        XCTAssertNil(Zoo.residualBlockCount("vgg11"))
    }

    func testEmpiricalKeepRateAndScaleMatchSurvival() {
        // Each sample keeps its branch with probability p (scaled by 1/p) or loses all of it.
        let n = 20_000, p: Float = 0.7
        let context = ForwardContext(training: true, seed: 3)
        let out = StochasticDepth.apply(.ones([n, 2, 2, 2]), survival: p, context)
        var kept = 0
        for i in 0..<n {
            let sample = (0..<8).map { out.data[i * 8 + $0] }
            XCTAssertTrue(sample.allSatisfy { $0 == 0 } || sample.allSatisfy { abs($0 - 1 / p) < 1e-6 }, "sample \(i): \(sample)")
            if sample[0] != 0 { kept += 1 }
        }
        let rate = Double(kept) / Double(n), sigma = (0.7 * 0.3 / Double(n)).squareRoot()
        XCTAssertEqual(rate, 0.7, accuracy: 4 * sigma, "keep rate")
        // Eval mode and p = 1 leave the branch alone.
        let x = randomTensor([4, 2, 3, 3])
        XCTAssertEqual(StochasticDepth.apply(x, survival: 0.5, .eval).scalars, x.scalars)
        XCTAssertEqual(StochasticDepth.apply(x, survival: 1, ForwardContext(training: true)).scalars, x.scalars)
    }

    func testResidualBranchGradientWithFixedMask() {
        // relu(branch ⊙ mask + shortcut) with mask [N, 1, 1, 1] = (1/p, 0, 1/p): the kept samples' gradients
        // are scaled by 1/p, the dropped one's branch gets none; the shortcut always passes.
        let p: Float = 0.6
        let mask = Tensor(shape: [3, 1, 1, 1], scalars: [1 / p, 0, 1 / p])
        let branch = randomTensor([3, 2, 3, 3], seed: 4), shortcut = randomTensor([3, 2, 3, 3], seed: 5)
        for i in 0..<branch.count {  // keep the sum 0.1 away from ReLU's kink
            let sum = branch.data[i] * mask.data[i / 18] + shortcut.data[i]
            if abs(sum) < 0.1 { shortcut.data[i] += sum < 0 ? -0.2 : 0.2 }
        }
        assertGradientsMatch([branch, shortcut]) { addReLU($0[0] * mask, $0[1]) }
        let g = branch.grad?.scalars ?? []
        XCTAssertTrue(g[18..<36].allSatisfy { $0 == 0 }, "the dropped sample's branch gets no gradient")
        XCTAssertFalse(g[0..<18].allSatisfy { $0 == 0 }, "a kept sample's branch does")
    }

    func testStochasticDepthBranchGradientThroughBatchNorm() throws {
        // x + SD(BN(conv(x))) in training mode, the masks fixed by re-seeding the context on every evaluation
        // (the draws one training step sees): gradients of the input and the branch's weights.
        var rng = SeededGenerator(seed: 8)
        let conv = Conv2d(2, 2, kernel: 3, padding: 1, rng: &rng), bn = BatchNorm2d(2)
        let p: Float = 0.5
        let kept = { (seed: UInt64) in
            var replay = SeededGenerator(seed: seed)
            return (0..<6).map { _ in replay.uniform() < p }
        }
        // The first seed whose draws drop some samples and keep others (the mask the check holds fixed).
        let seed = try XCTUnwrap((UInt64(1)...100).first { kept($0).contains(false) && kept($0).contains(true) })
        let weight = try XCTUnwrap(conv.state.first { $0.name == "weight" }?.tensor)
        assertGradientsMatch([randomTensor([6, 2, 4, 4], seed: 2), weight]) { inputs in
            let context = ForwardContext(training: true, seed: seed)
            return inputs[0] + StochasticDepth.apply(bn(conv(inputs[0]), context), survival: p, context)
        }
    }

    func testDrawsAreReproducibleAndEvalIsThePlainModel() throws {
        let x = randomTensor([6, 3, 8, 8], seed: 9)
        for name in ["resnet8", "wrn-10-1"] {
            let noised = try build(name, head: 0.5, survival: 0.5), plain = try build(name)
            XCTAssertEqual(noised.state.map(\.tensor.scalars), plain.state.map(\.tensor.scalars), "\(name): same initial weights")
            let eval1 = noGrad { noised.forward(x, .eval).logits.scalars }
            XCTAssertEqual(eval1, noGrad { noised.forward(x, .eval).logits.scalars }, "\(name): eval is deterministic")
            XCTAssertEqual(eval1, noGrad { plain.forward(x, .eval).logits.scalars }, "\(name): eval is the plain model")
            let train = { (seed: UInt64) in
                noGrad { noised.forward(x, ForwardContext(training: true, seed: seed)).logits.scalars }
            }
            XCTAssertEqual(train(5), train(5), "\(name): same seed, same draws")
            XCTAssertNotEqual(train(5), train(6), "\(name): another seed, other draws")
            XCTAssertNotEqual(
                train(5), noGrad { plain.forward(x, ForwardContext(training: true, seed: 5)).logits.scalars },
                "\(name): training is noised")
        }
    }

    func testHeadDropoutIsTrainingOnlyAndReplacesAnMLPsDropoutAtTheHead() throws {
        let x = randomTensor([8, 1, 16, 16], seed: 1)
        let lenet = try build("lenet5", [1, 16, 16], head: 0.5), plainLenet = try build("lenet5", [1, 16, 16])
        XCTAssertEqual(noGrad { lenet.forward(x, .eval).logits.scalars }, noGrad { plainLenet.forward(x, .eval).logits.scalars })
        let training = { (m: Model) in noGrad { m.forward(x, ForwardContext(training: true, seed: 2)).logits.scalars } }
        XCTAssertNotEqual(training(lenet), training(plainLenet))
        // mlp-32-32: dropout 0.3 everywhere, or 0.3 before the head via head_dropout: the same draws;
        // head_dropout 0.6 changes only the head's rate.
        let same = try build("mlp-32-32", [1, 16, 16], dropout: 0.3, head: 0.3)
        let reference = try build("mlp-32-32", [1, 16, 16], dropout: 0.3)
        let other = try build("mlp-32-32", [1, 16, 16], dropout: 0.3, head: 0.6)
        XCTAssertEqual(training(same), training(reference))
        XCTAssertNotEqual(training(other), training(reference))
    }

    func testStochasticDepthNeedsResidualBlocks() {
        for name in ["lenet5", "mlp-100"] {
            XCTAssertThrowsError(try build(name, [1, 28, 28], survival: 0.8)) { error in
                XCTAssertTrue("\(error)".contains("stochastic depth needs residual blocks"), "\(error)")
            }
        }
        XCTAssertThrowsError(try build("resnet8", survival: 0))
        XCTAssertThrowsError(try build("resnet8", head: 1))
    }

    func testClassifierBiasIsTheFinalLayers() throws {
        for (name, bias) in [
            ("mlp-20-30", "fc3.bias"), ("mlp-20", "fc2.bias"), ("lenet5", "fc3.bias"), ("resnet8", "fc.bias"),
            ("wrn-10-1", "fc.bias"),
        ] {
            let model = try build(name, [1, 16, 16])
            let found = try XCTUnwrap(model.classifierBias, name)
            XCTAssertEqual(found.name, bias)
            // It is the model's own tensor: changing it changes the logits of that class only.
            let x = randomTensor([2, 1, 16, 16])
            let before = noGrad { model.forward(x, .eval).logits.scalars }
            found.tensor.data[3] += 2
            let after = noGrad { model.forward(x, .eval).logits.scalars }
            for i in 0..<before.count {
                XCTAssertEqual(after[i] - before[i], i % 10 == 3 ? 2 : 0, accuracy: 1e-5, "\(name) logit \(i)")
            }
        }
        XCTAssertNil(Zoo.classifierPrefix("vgg11"))
        XCTAssertNil(Headless().classifierBias, "a model whose classifier has no bias")
    }
}

/// A model named like lenet5 whose state has no `fc3.bias`.
private final class Headless: Model {
    let spec = ModelSpec(name: "lenet5", inputShape: [1, 16, 16], numClasses: 10)
    let weight = Tensor.zeros([10, 256])
    var tapNames: [String] { ["logits"] }
    func forward(_ x: Tensor, _ context: ForwardContext) -> ModelOutput {
        let logits = linear(x.flattened(), weight: weight, bias: nil)
        return ModelOutput(logits: logits, taps: ["logits": logits])
    }
    func namedTensors(prefix: String) -> [NamedTensor] { [NamedTensor(prefix + "fc3.weight", weight)] }
}
