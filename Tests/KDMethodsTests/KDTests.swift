// KD (Hinton et al. 2015): golden values and gradients from PyTorch, the hand-derived gradient
// (dL/dz_s = weight·T·(softmax(z_s/T) − softmax(z_t/T))/B), a gradient check and the method's behaviour.

import Foundation
import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class KDTests: XCTestCase {
    typealias G = RelationLossGolden

    func testGoldenValuesAndGradients() {
        let cases = [
            (G.kdT4Temperature, G.kdT4Student, G.kdT4Teacher, G.kdT4Loss, G.kdT4Grad),
            (G.kdT2Temperature, G.kdT2Student, G.kdT2Teacher, G.kdT2Loss, G.kdT2Grad),
        ]
        for (t, s, teacher, loss, grad) in cases {
            let zs = RelationFixtures.tensor(G.kdT4Shape, s), zt = RelationFixtures.tensor(G.kdT4Shape, teacher)
            zs.requiresGrad = true
            let value = SoftTargets.kd(student: zs, teacher: zt, temperature: t)
            assertClose([value.item], [loss], atol: 1e-6, rtol: 1e-5, "kd T=\(t)")
            value.backward()
            assertClose(zs.grad?.scalars ?? [], grad, atol: 1e-6, rtol: 1e-4, "kd grad T=\(t)")
            XCTAssertNil(zt.grad, "the teacher gets no gradient")
        }
    }

    /// The hand-derived KD gradient, against the tape's gradient of the weighted `kd` term.
    func testGradientFormulaOfWeightedTerm() throws {
        let setup = RelationFixtures.setup(
            try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet8", seed: 2)])
        let method = try RelationFixtures.build(["kd"], ["kd_weight": 0.7, "T": 3], setup: setup)
        let (b, k, t, w): (Int, Int, Float, Float) = (4, 5, 3, 0.7)
        let zs = RelationFixtures.tensor([b, k], G.kdT2Student), zt = RelationFixtures.tensor([b, k], G.kdT2Teacher)
        zs.requiresGrad = true
        let step = StepContext(
            labels: [0, 1, 2, 3], student: ModelOutput(logits: zs, taps: [:]),
            teachers: [ModelOutput(logits: zt, taps: [:])], epoch: 0, stage: Stage("train", epochs: 1))
        try XCTUnwrap(RelationFixtures.term(method.losses(step), "kd")).backward()
        func softmax(_ z: [Float], _ row: Int) -> [Float] {
            let r = (0..<k).map { z[row * k + $0] / t }, m = r.max() ?? 0
            let e = r.map { Foundation.exp(Double($0 - m)) }, s = e.reduce(0, +)
            return e.map { Float($0 / s) }
        }
        var expected: [Float] = []
        for row in 0..<b {
            let ps = softmax(G.kdT2Student, row), pt = softmax(G.kdT2Teacher, row)
            expected += (0..<k).map { w * t * (ps[$0] - pt[$0]) / Float(b) }
        }
        assertClose(zs.grad?.scalars ?? [], expected, atol: 1e-6, rtol: 1e-4, "dL/dz_s")
    }

    func testGradientCheck() {
        let zt = randomTensor([3, 6], seed: 11, std: 2)
        assertGradientsMatch([randomTensor([3, 6], seed: 12, std: 2)]) { x in
            SoftTargets.kd(student: x[0], teacher: zt, temperature: 4) * 10
        }
    }

    func testMethodTermsAndErrors() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["kd"], setup: setup)
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .logits)
        XCTAssertTrue(method.stages.isEmpty)
        XCTAssertTrue(method.extraLayers.isEmpty)
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "kd"])
        let expected = SoftTargets.kd(student: step.student.logits, teacher: step.teacher.logits, temperature: 4).item * 0.9
        XCTAssertEqual(terms[1].value.item, expected, accuracy: 1e-6)
        XCTAssertEqual(ParamSpec.problems(in: KD.params), [])

        let noTeacher = RelationFixtures.setup(setup.student, [])
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["kd"], setup: noTeacher) },
            "method.name: kd needs a teacher (set teacher.checkpoint)")
        let augmented = RelationFixtures.setup(setup.student, setup.teachers, augmented: true)
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["kd"], ["cache_teacher": true], setup: augmented) },
            "method.cache_teacher: needs data.augment off (a cached teacher sees each image once, unaugmented)")
    }
}
