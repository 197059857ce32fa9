// KDSVD (Lee et al. 2018): the kernel terms against PyTorch (scripts/golden/kdsvd_losses.py) on
// well-separated spectra (k = 1 and 2) and a sign-flip case, a gradient check, and the method's taps,
// terms and configuration errors.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class KDSVDTests: XCTestCase {
    typealias G = KDSVDGolden

    /// Maps `[2, C, 3, 3]` from the golden's flat arrays.
    func maps(_ flat: [[Float]], grad: Bool) -> [Tensor] {
        flat.map { Tensor(shape: [2, $0.count / 18, 3, 3], scalars: $0, requiresGrad: grad) }
    }

    func assertGolden(_ s: [[Float]], _ t: [[Float]], k: Int, loss: Float, grads: [[Float]], _ name: String) {
        let (students, teachers) = (maps(s, grad: true), maps(t, grad: false))
        let value = KDSVD.loss(students: students, teachers: teachers, k: k)
        assertClose([value.item], [loss], atol: 1e-6, rtol: 1e-4, "\(name) value")
        value.backward()
        FeatureMethodKit.assertGradients(students, grads, name)
        XCTAssertTrue(teachers.allSatisfy { $0.grad == nil }, "\(name): the teacher maps are frozen")
    }

    func testGoldenSeparatedSpectra() {
        assertGolden(
            G.separatedStudent, G.separatedTeacher, k: 1, loss: G.separatedLossK1, grads: G.separatedGradsK1, "k = 1")
        assertGolden(
            G.separatedStudent, G.separatedTeacher, k: 2, loss: G.separatedLossK2, grads: G.separatedGradsK2, "k = 2")
    }

    func testGoldenSignFlip() {
        assertGolden(G.flipStudent, G.flipTeacher, k: 1, loss: G.flipLoss, grads: G.flipGrads, "sign flip")
    }

    func testGradientCheckAndIdentity() {
        let teachers = maps(G.separatedTeacher, grad: false)
        assertGradientsMatch(maps(G.separatedStudent, grad: false), eps: 3e-3) { x in
            KDSVD.loss(students: x, teachers: teachers) * 10
        }
        // A student whose maps equal the teacher's, or are any map with the same right-singular vectors
        // (another left factor, negated), relates its taps as the teacher does: loss 0.
        XCTAssertEqual(KDSVD.loss(students: teachers, teachers: teachers).item, 0, accuracy: 1e-7)
        let negated = teachers.map { $0 * -2 }
        XCTAssertEqual(KDSVD.loss(students: negated, teachers: teachers).item, 0, accuracy: 1e-6)
        XCTAssertGreaterThan(KDSVD.loss(students: maps(G.separatedStudent, grad: false), teachers: teachers).item, 1e-3)
    }

    func testMethodTapsAndTerms() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["kdsvd"], setup: setup)
        let kdsvd = try XCTUnwrap(method as? KDSVD)
        XCTAssertEqual(kdsvd.studentTaps, ["layer1", "layer2", "layer3"])
        XCTAssertEqual(kdsvd.k, 1)
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .features(["layer1", "layer2", "layer3"]))
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "kdsvd"])
        let taps = ["layer1", "layer2", "layer3"]
        let expected = KDSVD.loss(students: taps.map { step.student.taps[$0]! }, teachers: taps.map { step.teacher.taps[$0]! })
            .item
        XCTAssertEqual(terms[1].value.item, expected, accuracy: 1e-5 * Swift.max(1, expected))
        XCTAssertTrue(terms[1].value.item.isFinite)
        XCTAssertEqual(
            try RelationFixtures.build(["kdsvd", "kd"], setup: setup).losses(step).map(\.name), ["ce", "kdsvd", "kd"])
    }

    func testConfigurationErrors() throws {
        let wide = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet8x4")])
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["kdsvd"], setup: wide) },
            "method.teacher_taps: kdsvd needs equal widths at each tap, student resnet8 'layer1' has 16 channels "
                + "and teacher resnet8x4 'layer1' has 64")
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet8")])
        XCTAssertEqual(
            RelationFixtures.error {
                try RelationFixtures.build(
                    ["kdsvd"], ["student_taps": .list([.string("layer2")]), "teacher_taps": .list([.string("layer2")])],
                    setup: setup)
            },
            "method.student_taps: kdsvd relates consecutive taps and needs at least two, found 1")
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["kdsvd"], ["k": .integer(17)], setup: setup) },
            "method.k: expected at most 16 (the channels of tap 'layer1'), found 17")
    }
}
