// CC (Peng et al. 2019): both modes against PyTorch (scripts/golden/zoo_losses.py) with gradients reaching
// both heads, gradient checks, and the method's heads, defaults and the paper mode's required weight.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class CCTests: XCTestCase {
    typealias G = ZooLossGolden

    func check(_ mode: CC.Mode, loss golden: Float, grads: [[Float]]) {
        let leaves = [
            Tensor(shape: [5, 6], scalars: G.ccStudent), Tensor(shape: [4, 6], scalars: G.ccStudentWeight),
            Tensor(shape: [4], scalars: G.ccStudentBias), Tensor(shape: [4, 8], scalars: G.ccTeacherWeight),
            Tensor(shape: [4], scalars: G.ccTeacherBias),
        ]
        for leaf in leaves { leaf.requiresGrad = true }
        let teacher = Tensor(shape: [5, 8], scalars: G.ccTeacher)
        let hs = linear(leaves[0], weight: leaves[1], bias: leaves[2])
        let ht = linear(teacher, weight: leaves[3], bias: leaves[4])
        let loss = mode == .code ? CC.codeLoss(student: hs, teacher: ht) : CC.paperLoss(student: hs, teacher: ht, gamma: 0.4)
        assertClose([loss.item], [golden], atol: 1e-6, rtol: 1e-5, "cc \(mode) value")
        loss.backward()
        for (k, leaf) in leaves.enumerated() {
            assertClose(leaf.grad?.scalars ?? [], grads[k], atol: 1e-6, rtol: 1e-3, "cc \(mode) gradient \(k)")
        }
        XCTAssertNil(teacher.grad)
    }

    func testGolden() {
        check(.code, loss: G.ccCodeLoss, grads: G.ccCodeGrads)
        check(.paper, loss: G.ccPaperLoss, grads: G.ccPaperGrads)
    }

    func testGradientChecks() {
        let ht = randomTensor([4, 5], seed: 31)
        assertGradientsMatch([randomTensor([4, 5], seed: 32)]) { x in CC.codeLoss(student: x[0], teacher: ht) }
        assertGradientsMatch([randomTensor([4, 5], seed: 33, std: 0.5), randomTensor([4, 5], seed: 34, std: 0.5)]) { x in
            CC.paperLoss(student: x[0], teacher: x[1], gamma: 0.4) * 100
        }
        XCTAssertEqual(CC.paperLoss(student: ht, teacher: ht, gamma: 0.4).item, 0, accuracy: 1e-12)
    }

    func testMethodHeadsDefaultsAndErrors() throws {
        let setup = RelationFixtures.setup(
            try RelationFixtures.model("lenet5"), [try RelationFixtures.model("resnet14", input: [1, 28, 28])])
        let method = try RelationFixtures.build(["cc"], setup: setup)
        let cc = try XCTUnwrap(method as? CC)
        XCTAssertEqual(
            cc.heads.state.map(\.name), ["student_head.weight", "student_head.bias", "teacher_head.weight", "teacher_head.bias"])
        XCTAssertEqual([cc.studentTap, cc.teacherTap], ["fc2", "pool"])
        XCTAssertEqual(cc.heads.student.weight.shape, [128, 84])  // lenet5's fc2 is 84 wide
        XCTAssertEqual(cc.heads.teacher.weight.shape, [128, 64])  // resnet14's is 64 wide
        XCTAssertEqual(method.extraLayers.count, 1)
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "cc"])
        let hs = cc.heads.student(step.student.taps["fc2"]!.flattened(from: 1))
        let ht = cc.heads.teacher(step.teacher.taps["pool"]!.flattened(from: 1))
        XCTAssertEqual(terms[1].value.item, CC.codeLoss(student: hs, teacher: ht).item * 0.02, accuracy: 1e-5)
        terms[1].value.backward()
        XCTAssertNotNil(cc.heads.teacher.weight.grad, "the teacher's head trains")
        XCTAssertEqual(try RelationFixtures.build(["cc", "kd"], setup: setup).losses(step).map(\.name), ["ce", "cc", "kd"])
        let missing = RelationFixtures.error { try RelationFixtures.build(["cc"], ["mode": .string("paper")], setup: setup) }
        XCTAssertEqual(missing, "method.cc_weight: missing; mode paper has no published weight, set one")
        XCTAssertNoThrow(try RelationFixtures.build(["cc"], ["mode": .string("paper"), "cc_weight": .number(1)], setup: setup))
    }
}
