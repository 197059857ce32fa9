// DKD (Zhao et al. 2022): tckd and nckd against PyTorch (scripts/golden/zoo_losses.py), the identity
// KL = tckd + (1 − p_t[y])·nckd, a certain teacher staying finite, gradient checks and the warm-up.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class DKDTests: XCTestCase {
    typealias G = ZooLossGolden
    let labels: [Int32] = [2, 0, 4, 1]

    func check(
        student: [Float], teacher: [Float], tckd: Float, nckd: Float, tckdGrad: [Float], nckdGrad: [Float], _ what: String
    ) {
        for (which, golden, grad) in [(0, tckd, tckdGrad), (1, nckd, nckdGrad)] {
            let zs = Tensor(shape: [4, 5], scalars: student, requiresGrad: true)
            let zt = Tensor(shape: [4, 5], scalars: teacher)
            let (a, b) = DKD.terms(student: zs, teacher: zt, labels: labels, temperature: 4)
            let term = which == 0 ? a : b
            XCTAssertTrue(term.item.isFinite, what)
            assertClose([term.item], [golden], atol: 1e-7, rtol: 1e-5, "\(what) \(which == 0 ? "tckd" : "nckd") value")
            term.backward()
            assertClose(zs.grad?.scalars ?? [], grad, atol: 1e-7, rtol: 1e-3, "\(what) gradient")
            XCTAssertNil(zt.grad)
        }
    }

    func testGolden() {
        check(
            student: G.dkdStudent, teacher: G.dkdTeacher, tckd: G.dkdTCKD, nckd: G.dkdNCKD, tckdGrad: G.dkdTCKDGrad,
            nckdGrad: G.dkdNCKDGrad, "random teacher")
        // A teacher 60 logits sure of the target: 1 − p[y] ≈ 3e-6 at T = 4, and nothing turns into NaN.
        check(
            student: G.dkdCertainStudent, teacher: G.dkdCertainTeacher, tckd: G.dkdCertainTCKD, nckd: G.dkdCertainNCKD,
            tckdGrad: G.dkdCertainTCKDGrad, nckdGrad: G.dkdCertainNCKDGrad, "certain teacher")
    }

    /// Per sample KL = tckd + (1 − p_t[y])·nckd; summed over a batch of one this is exact for the engine too.
    func testDecompositionOfKD() {
        for i in 0..<4 {
            let zs = Tensor(shape: [1, 5], scalars: Array(G.dkdStudent[i * 5..<(i + 1) * 5]))
            let zt = Tensor(shape: [1, 5], scalars: Array(G.dkdTeacher[i * 5..<(i + 1) * 5]))
            let (tckd, nckd) = DKD.terms(student: zs, teacher: zt, labels: [labels[i]], temperature: 4)
            let pt = (zt * 0.25).softmax().scalars[Int(labels[i])]
            let kl = SoftTargets.kd(student: zs, teacher: zt, temperature: 4).item / 16
            XCTAssertEqual(tckd.item + (1 - pt) * nckd.item, kl, accuracy: 1e-5 * Swift.max(1, kl), "sample \(i)")
        }
    }

    func testGradientChecks() {
        let teacher = randomTensor([4, 5], seed: 51, std: 3)
        assertGradientsMatch([randomTensor([4, 5], seed: 52, std: 2)]) { x in
            let (t, n) = DKD.terms(student: x[0], teacher: teacher, labels: self.labels, temperature: 4)
            return t * 10 + n * 10
        }
        assertGradientsMatch([randomTensor([4, 5], seed: 53, std: 2)]) { x in
            DKD.terms(student: x[0], teacher: teacher, labels: self.labels, temperature: 1).1 * 10
        }
    }

    func testMethodWarmUpAndTerms() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["dkd"], ["warmup_epochs": 4], setup: setup)
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .logits)
        let first = RelationFixtures.step(setup, epoch: 0), later = RelationFixtures.step(setup, epoch: 5)
        let (tckd, nckd) = DKD.terms(
            student: first.student.logits, teacher: first.teacher.logits, labels: first.labels, temperature: 4)
        let early = method.losses(first), full = method.losses(later)
        XCTAssertEqual(early.map(\.name), ["ce", "tckd", "nckd"])
        // Epoch 1 of a 4-epoch warm-up weighs the distillation terms 1/4 (times T² = 16); from epoch 4 on, fully.
        XCTAssertEqual(early[1].value.item, tckd.item * 16 / 4, accuracy: 1e-4 * Swift.max(1, tckd.item))
        XCTAssertEqual(early[2].value.item, nckd.item * 16 * 8 / 4, accuracy: 1e-4 * Swift.max(1, nckd.item * 32))
        let (t5, _) = DKD.terms(
            student: later.student.logits, teacher: later.teacher.logits, labels: later.labels, temperature: 4)
        XCTAssertEqual(full[1].value.item, t5.item * 16, accuracy: 1e-4 * Swift.max(1, t5.item * 16))
        XCTAssertEqual(ParamSpec.problems(in: DKD.params), [])
        XCTAssertThrowsError(try RelationFixtures.build(["dkd", "kd"], setup: setup))
    }
}
