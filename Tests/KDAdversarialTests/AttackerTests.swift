// AttackerTests: the threat model's guarantees (every iterate inside the ε-ball and [0, 1], repeatable
// from its seed), FGSM as one signed step, and PGD at least as strong as FGSM on a trained network.

import KDAdversarial
import KDNN
import KDTensor
import TestSupport
import XCTest

final class AttackerTests: XCTestCase {
    let space = PixelSpace(mean: [0.3], std: [0.35])

    /// Pixels in [0, 1] with exact 0s and 1s, where clipping matters.
    func pixels(_ n: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let t = Tensor(uninitialized: [n, 1, 8, 8])
        for i in 0..<t.count {
            let u = rng.uniform()
            t.data[i] = u < 0.2 ? 0 : (u > 0.8 ? 1 : rng.uniform())
        }
        return t
    }

    /// A 3-class problem on 8x8 images: the class is which third of the image is brightest.
    func problem(_ n: Int, seed: UInt64) -> (Tensor, [Int32]) {
        let x = pixels(n, seed: seed)
        var labels: [Int32] = []
        for i in 0..<n {
            var sums = [Float](repeating: 0, count: 3)
            for p in 0..<64 { sums[min(2, (p % 8) / 3)] += x.data[i * 64 + p] }
            labels.append(Int32(sums.indices.max { sums[$0] < sums[$1] }!))
        }
        return (x, labels)
    }

    /// An MLP trained for a few hundred steps on `problem` (well above chance).
    func trainedModel() throws -> Model {
        let model = try Zoo.build(ModelSpec(name: "mlp-32", inputShape: [1, 8, 8], numClasses: 3), seed: 2)
        let sgd = SGD(model.state, lr: 0.1, momentum: 0.9)
        let ctx = ForwardContext(training: true, seed: 0)
        for step in 0..<300 {
            let (x, y) = problem(32, seed: 100 + UInt64(step))
            sgd.zeroGrad()
            crossEntropy(model.forward(space.normalized(x), ctx).logits, labels: y).backward()
            sgd.step()
        }
        return model
    }

    func assertInsideThreatModel(_ adv: Tensor, _ clean: Tensor, eps: Float, file: StaticString = #filePath, line: UInt = #line) {
        for i in 0..<adv.count {
            let (a, x) = (adv.data[i], clean.data[i])
            guard a >= 0, a <= 1, abs(a - x) <= eps * (1 + 1e-6) else {
                return XCTFail("pixel \(i): \(a) from \(x) outside [0, 1] or the ε-ball \(eps)", file: file, line: line)
            }
        }
    }

    func testEveryAttackStaysInTheEpsilonBallAndThePixelRange() throws {
        let model = try Zoo.build(ModelSpec(name: "mlp-16", inputShape: [1, 8, 8], numClasses: 3), seed: 1)
        let attacker = Attacker(model: model, space: space)
        let x = pixels(6, seed: 4), labels: [Int32] = [0, 1, 2, 0, 1, 2]
        let settings: [AttackSettings] = [
            .fgsm(eps: 0.1), AttackSettings(kind: .pgd, eps: 0.05, steps: 7, stepSize: 0.02),
            AttackSettings(kind: .pgd, eps: 0.3, steps: 5, stepSize: 0.2, start: .gaussian(0.5)),
            AttackSettings(kind: .pgd, eps: 0.2, steps: 3, start: .clean),
        ]
        for s in settings {
            var rng = SeededGenerator(seed: 9)
            assertInsideThreatModel(attacker.perturb(x, .crossEntropy(labels), s, rng: &rng), x, eps: s.eps)
            let target = Tensor(shape: [6, 3], repeating: 1.0 / 3)
            assertInsideThreatModel(attacker.perturb(x, .divergence(from: target), s, rng: &rng), x, eps: s.eps)
        }
    }

    func testFGSMIsOneSignedStepOfEpsilon() throws {
        let model = try Zoo.build(ModelSpec(name: "mlp-16", inputShape: [1, 8, 8], numClasses: 3), seed: 1)
        let x = pixels(4, seed: 5), labels: [Int32] = [2, 1, 0, 1]
        var rng = SeededGenerator(seed: 0)
        let adv = Attacker(model: model, space: space).perturb(x, .crossEntropy(labels), .fgsm(eps: 0.1), rng: &rng)
        let g = model.inputGradient(space.normalized(x), .eval) { crossEntropy($0.logits, labels: labels) }.gradient
        for i in 0..<x.count {
            let sign: Float = g.data[i] > 0 ? 1 : (g.data[i] < 0 ? -1 : 0)
            XCTAssertEqual(adv.data[i], min(1, max(0, x.data[i] + 0.1 * sign)), accuracy: 1e-7)
        }
    }

    func testTheSameSeedGivesTheSameAttack() throws {
        let model = try Zoo.build(ModelSpec(name: "mlp-16", inputShape: [1, 8, 8], numClasses: 3), seed: 1)
        let attacker = Attacker(model: model, space: space)
        let x = pixels(3, seed: 6), pgd = AttackSettings(kind: .pgd, eps: 0.1, steps: 4)
        var a = SeededGenerator(seed: 11), b = SeededGenerator(seed: 11), c = SeededGenerator(seed: 12)
        let first = attacker.perturb(x, .crossEntropy([0, 1, 2]), pgd, rng: &a).scalars
        XCTAssertEqual(first, attacker.perturb(x, .crossEntropy([0, 1, 2]), pgd, rng: &b).scalars)
        XCTAssertNotEqual(first, attacker.perturb(x, .crossEntropy([0, 1, 2]), pgd, rng: &c).scalars)
    }

    func testPGDIsAtLeastAsStrongAsFGSMOnATrainedModel() throws {
        let model = try trainedModel()
        let attacker = Attacker(model: model, space: space)
        let (x, y) = problem(300, seed: 7)
        func loss(_ images: Tensor) -> Float {
            noGrad { crossEntropy(model.forward(space.normalized(images), .eval).logits, labels: y) }.item
        }
        func accuracy(_ images: Tensor) -> Double {
            let z = noGrad { model.forward(space.normalized(images), .eval).logits }
            return Double(
                (0..<y.count).filter { i in (0..<3).max { z.data[i * 3 + $0] < z.data[i * 3 + $1] } == Int(y[i]) }.count)
                / Double(y.count)
        }
        XCTAssertGreaterThan(accuracy(x), 0.8, "the model learned the problem")
        var rng = SeededGenerator(seed: 3)
        let fgsm = attacker.perturb(x, .crossEntropy(y), .fgsm(eps: 0.1), rng: &rng)
        let pgd = attacker.perturb(
            x, .crossEntropy(y), AttackSettings(kind: .pgd, eps: 0.1, steps: 10, stepSize: 0.025), rng: &rng)
        XCTAssertGreaterThan(loss(fgsm), loss(x))
        XCTAssertGreaterThanOrEqual(loss(pgd), loss(fgsm))
        XCTAssertLessThanOrEqual(accuracy(pgd), accuracy(fgsm))
        XCTAssertLessThan(accuracy(fgsm), accuracy(x))
    }

    func testPixelSpaceRoundTripsAndClips() {
        let rgb = PixelSpace(mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3])
        let x = Tensor(shape: [1, 3, 1, 2], scalars: [0, 1, 0.2, 0.7, 0.5, 0.9])
        let z = rgb.normalized(x)
        XCTAssertEqual(z.data[0], -2.5, accuracy: 1e-6)
        XCTAssertEqual(z.data[4], (0.5 - 0.3) / 0.3, accuracy: 1e-6)
        assertClose(rgb.pixels(z).scalars, x.scalars, atol: 1e-6)
        XCTAssertEqual(rgb.pixels(Tensor(shape: [1, 3, 1, 2], repeating: 10)).scalars, [1, 1, 1, 1, 1, 1])
    }

    func testDefaultThreatModels() {
        XCTAssertEqual(ThreatDefaults.pgd(.fashionMNIST), AttackSettings(kind: .pgd, eps: 0.1, steps: 20, stepSize: 0.0125))
        XCTAssertEqual(ThreatDefaults.pgd(.mnist).steps, 40)
        XCTAssertEqual(ThreatDefaults.training(.cifar).stepSize, 2.0 / 255, accuracy: 1e-9)
        let suite = ThreatDefaults.suite(.fashionMNIST)
        XCTAssertEqual(suite.map(\.eps), [0.05, 0.05, 0.1, 0.1, 0.2, 0.2])
        XCTAssertEqual(suite[5].stepSize, 2.5 * 0.2 / 20, accuracy: 1e-7)
    }
}
