// RobustDistillationTests: ard (Goldblum et al. 2020) and rslad (Zi et al. 2021) against PyTorch written
// as their reference codes (scripts/golden/robust_losses.py), gradient checks, and their training-time
// attacks: inside the ε-ball in pixel space, repeatable per (epoch, batch), labels where they need them.

import KDAdversarial
import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class RobustDistillationTests: XCTestCase {
    typealias G = RobustLossGolden
    let labels: [Int32] = [2, 0, 4, 1]
    let space = PixelSpace(mean: [0.286], std: [0.353])

    func setup(labeledFraction: Double = 1, pixels: Bool = true) throws -> MethodSetup {
        let spec = ModelSpec(name: "mlp-16", inputShape: [1, 6, 6], numClasses: 5)
        var s = MethodSetup(
            student: try Zoo.build(spec, seed: 1), teachers: [try Zoo.build(spec, seed: 2)], epochs: 2, seed: 3,
            augmented: false, labeledFraction: labeledFraction)
        if pixels { (s.inputSpace, s.trainingAttack) = (space, ThreatDefaults.training(.fashionMNIST)) }
        return s
    }

    func build(_ name: String, _ values: [String: ParamValue] = [:], setup: MethodSetup) throws -> DistillationMethod {
        var p = ParamValues(defaults: MethodRegistry.entry(name)?.params ?? [], path: "method")
        for (k, v) in values { p[k] = v }
        return try MethodRegistry.buildSingle(parts: [name], params: p, setup: setup)
    }

    /// The terms of `method` on the golden logits, and the gradients of their sum (adversarial, natural).
    func terms(_ method: DistillationMethod) -> (values: [String: Float], adv: [Float], nat: [Float]) {
        let adv = Tensor(shape: [4, 5], scalars: G.adversarial, requiresGrad: true)
        let nat = Tensor(shape: [4, 5], scalars: G.natural, requiresGrad: true)
        let step = StepContext(
            labels: labels, student: ModelOutput(logits: adv, taps: [:]),
            teachers: [ModelOutput(logits: Tensor(shape: [4, 5], scalars: G.teacher), taps: [:])], epoch: 0,
            stage: Stage("train", epochs: 2), cleanImages: Tensor.zeros([4, 1, 6, 6]),
            runStudent: { _ in ModelOutput(logits: nat, taps: [:]) })
        let t = method.losses(step)
        t.dropFirst().reduce(t[0].value) { $0 + $1.value }.backward()
        return (
            Dictionary(uniqueKeysWithValues: t.map { ($0.name, $0.value.item) }), adv.grad?.scalars ?? [], nat.grad?.scalars ?? []
        )
    }

    func testARDMatchesTheReferenceCode() throws {
        let ard = try build("ard", ["T": .number(4), "kd_weight": .number(0.7), "ce_weight": .number(0.3)], setup: setup())
        let (values, adv, nat) = terms(ard)
        assertClose([values["kd"] ?? .nan, values["ce"] ?? .nan], [G.ardTerms.kd, G.ardTerms.ce], atol: 1e-7, rtol: 1e-5)
        assertClose(adv, G.ardAdversarialGradient, atol: 1e-7, rtol: 1e-4, "adversarial gradient")
        assertClose(nat, G.ardNaturalGradient, atol: 1e-7, rtol: 1e-4, "natural gradient")
        // ce_weight 0 (the default): no natural pass at all.
        let plain = try build("ard", ["T": .number(4)], setup: setup())
        XCTAssertEqual(terms(plain).values.keys.sorted(), ["kd"])
        // batchmean is K times elementwise.
        let batchmean = try build("ard", ["T": .number(4), "reduction": .string("batchmean")], setup: setup())
        XCTAssertEqual(terms(batchmean).values["kd"] ?? 0, 5 * (terms(plain).values["kd"] ?? 0), accuracy: 1e-5)
    }

    func testRSLADMatchesTheReferenceCode() throws {
        let (values, adv, nat) = terms(try build("rslad", setup: setup()))
        // The reference adds 1e-5 inside the teacher's entropy: at most 1e-5 per element apart in value.
        assertClose([values["adv"] ?? .nan, values["nat"] ?? .nan], [G.rsladTerms.adv, G.rsladTerms.nat], atol: 2e-5, rtol: 0)
        assertClose(adv, G.rsladAdversarialGradient, atol: 1e-7, rtol: 1e-4, "adversarial gradient")
        assertClose(nat, G.rsladNaturalGradient, atol: 1e-7, rtol: 1e-4, "natural gradient")
    }

    func testGradientChecks() throws {
        let teacher = randomTensor([4, 5], seed: 61, std: 3)
        for (name, values) in [("ard", ["T": ParamValue.number(2), "ce_weight": .number(0.5)]), ("rslad", [:])] {
            let method = try build(name, values, setup: setup())
            assertGradientsMatch([randomTensor([4, 5], seed: 62, std: 2), randomTensor([4, 5], seed: 63, std: 2)]) { x in
                let step = StepContext(
                    labels: self.labels, student: ModelOutput(logits: x[0], taps: [:]),
                    teachers: [ModelOutput(logits: teacher, taps: [:])], epoch: 0, stage: Stage("train", epochs: 1),
                    cleanImages: Tensor.zeros([4, 1, 6, 6]), runStudent: { _ in ModelOutput(logits: x[1], taps: [:]) })
                let t = method.losses(step)
                return t.dropFirst().reduce(t[0].value) { $0 + $1.value } * 10
            }
        }
    }

    func testTrainingAttacksStayInTheBallAndRepeat() throws {
        let s = try setup()
        let clean = space.normalized(randomTensor([4, 1, 6, 6], seed: 8).clamp(min: 0, max: 1))
        let teacherOut = [ModelOutput(logits: randomTensor([4, 5], seed: 9), taps: [:])]
        for name in ["ard", "rslad"] {
            let method = try build(name, ["eps": .number(0.1)], setup: s)
            let step = InputStep(labels: labels, teachers: teacherOut, epoch: 1, batchIndex: 2)
            let adv = method.studentInput(clean, step)
            let (x, a) = (space.pixels(clean), space.pixels(adv))
            for i in 0..<x.count { XCTAssertLessThanOrEqual(abs(a.data[i] - x.data[i]), 0.1 + 1e-5, name) }
            XCTAssertNotEqual(adv.scalars, clean.scalars, "\(name) moves the images")
            XCTAssertEqual(method.studentInput(clean, step).scalars, adv.scalars, "\(name): the same step repeats")
            let other = InputStep(labels: labels, teachers: teacherOut, epoch: 1, batchIndex: 3)
            if name == "ard" { XCTAssertNotEqual(method.studentInput(clean, other).scalars, adv.scalars) }
            XCTAssertTrue(s.student.parameters.allSatisfy { $0.grad == nil }, "the attack leaves weight gradients alone")
        }
    }

    func testLabelsAndPixelSpaceRules() throws {
        XCTAssertThrowsError(try build("ard", setup: setup(labeledFraction: 0.1))) {
            XCTAssertTrue("\($0)".contains("ard") && "\($0)".contains("label"), "\($0)")
        }
        XCTAssertNoThrow(try build("rslad", setup: setup(labeledFraction: 0.1)), "rslad needs no labels")
        XCTAssertThrowsError(try build("rslad", setup: setup(pixels: false))) {
            XCTAssertTrue("\($0)".contains("pixel"), "\($0)")
        }
    }
}
