// RKD (Park et al. 2019): distance and angle terms against PyTorch (RepDistiller's RKDLoss), gradient
// checks, the ψ_D / ψ_A structure, and the method built through the registry (taps, terms, errors).

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class RKDTests: XCTestCase {
    typealias G = RelationLossGolden

    func testGoldenDistanceAndAngle() {
        let cases = [
            (
                G.rkdStudentShape, G.rkdStudent, G.rkdTeacherShape, G.rkdTeacher,
                G.rkdDistance, G.rkdDistanceGrad, G.rkdAngle, G.rkdAngleGrad
            ),
            (
                G.rkdMapsStudentShape, G.rkdMapsStudent, G.rkdMapsTeacherShape, G.rkdMapsTeacher,
                G.rkdMapsDistance, G.rkdMapsDistanceGrad, G.rkdMapsAngle, G.rkdMapsAngleGrad
            ),
        ]
        for (sShape, s, tShape, t, distance, distanceGrad, angle, angleGrad) in cases {
            let teacher = RelationFixtures.tensor(tShape, t)
            for (loss, value, grad) in [(RKD.distanceLoss, distance, distanceGrad), (RKD.angleLoss, angle, angleGrad)] {
                let student = RelationFixtures.tensor(sShape, s)
                student.requiresGrad = true
                let out = loss(student, teacher)
                assertClose([out.item], [value], atol: 1e-7, rtol: 1e-5, "\(sShape) value")
                out.backward()
                assertClose(student.grad?.scalars ?? [], grad, atol: 1e-7, rtol: 1e-3, "\(sShape) gradient")
                XCTAssertNil(teacher.grad)
            }
        }
    }

    func testGradientChecks() {
        let teacher = randomTensor([5, 7], seed: 21)
        assertGradientsMatch([randomTensor([5, 4], seed: 22)], eps: 1e-3) { x in
            RKD.distanceLoss(student: x[0], teacher: teacher) * 10
        }
        assertGradientsMatch([randomTensor([5, 4], seed: 23)], eps: 1e-3) { x in
            RKD.angleLoss(student: x[0], teacher: teacher) * 10
        }
        assertGradientsMatch([randomTensor([4, 6], seed: 24)], eps: 1e-3) { x in RKD.normalizedDistances(x[0]) }
        // Entries with j = i or k = i are the constant 0 (e_ii = 0): a gradient into them meets normalize's
        // 1/ε slope at the zero vector, as in PyTorch; the losses never send one (both sides are 0 there).
        let b = 4
        let mask = Tensor(
            shape: [b, b, b],
            scalars: (0..<(b * b * b)).map { n in
                let (i, j, k) = (n / (b * b), n / b % b, n % b)
                return j == i || k == i ? 0 : 1
            })
        assertGradientsMatch([randomTensor([b, 3], seed: 25)], eps: 1e-3) { x in RKD.angles(x[0]) * mask }
    }

    func testStructure() {
        let x = randomTensor([5, 3], seed: 26)
        let d = RKD.normalizedDistances(x).scalars
        var offDiagonal: Float = 0
        for i in 0..<5 {
            XCTAssertEqual(d[i * 5 + i], 0, "zero diagonal")
            for j in 0..<5 where j != i {
                XCTAssertEqual(d[i * 5 + j], d[j * 5 + i], accuracy: 1e-6); offDiagonal += d[i * 5 + j]
            }
        }
        XCTAssertEqual(offDiagonal / 20, 1, accuracy: 1e-5, "off-diagonal mean is 1")
        let a = RKD.angles(x)
        XCTAssertEqual(a.shape, [5, 5, 5])
        XCTAssertEqual(a.scalars[1 * 25 + 2 * 5 + 2], 1, accuracy: 1e-6, "⟨e_12, e_12⟩ = 1")
        XCTAssertEqual(a.scalars[1 * 25 + 1 * 5 + 3], 0, "e_11 = 0")
        // Scaling and translating the embedding changes neither term.
        let moved = x * 3 + 0.5
        XCTAssertEqual(RKD.distanceLoss(student: moved, teacher: x).item, 0, accuracy: 1e-6)
        XCTAssertEqual(RKD.angleLoss(student: moved, teacher: x).item, 0, accuracy: 1e-6)
        // A batch of one has no relations.
        XCTAssertEqual(RKD.distanceLoss(student: randomTensor([1, 3]), teacher: randomTensor([1, 4])).item, 0)
        XCTAssertEqual(RKD.angleLoss(student: randomTensor([1, 3]), teacher: randomTensor([1, 4])).item, 0)
    }

    func testMethodOnPoolTaps() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("wrn-10-2")])
        let method = try RelationFixtures.build(["rkd"], setup: setup)
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .features(["pool"]))
        XCTAssertTrue(method.stages.isEmpty && method.extraLayers.isEmpty)
        let rkd = try XCTUnwrap(method as? RKD)
        XCTAssertEqual([rkd.studentTap, rkd.teacherTap], ["pool", "pool"])
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "rkd_d", "rkd_a"])
        let (s, t) = (step.student.taps["pool"]!, step.teacher.taps["pool"]!)
        XCTAssertEqual(terms[1].value.item, RKD.distanceLoss(student: s, teacher: t).item * 25, accuracy: 1e-5)
        XCTAssertEqual(terms[2].value.item, RKD.angleLoss(student: s, teacher: t).item * 50, accuracy: 1e-5)
        terms.dropFirst().reduce(terms[0].value) { $0 + $1.value }.backward()
        XCTAssertTrue(setup.student.parameters.contains { $0.grad != nil }, "the student receives gradients")
        XCTAssertTrue(setup.teachers[0].parameters.allSatisfy { $0.grad == nil }, "the teacher stays frozen")
        XCTAssertEqual(ParamSpec.problems(in: RKD.params), [])
    }

    func testDefaultTapsWithoutPoolAndCustomTaps() throws {
        let mlp = try RelationFixtures.model("mlp-8-6")
        let lenet = try RelationFixtures.model("lenet5")
        XCTAssertEqual(RKD.defaultTap(mlp), "hidden2")
        XCTAssertEqual(RKD.defaultTap(lenet), "fc2")
        let method = try RelationFixtures.build(["rkd"], ["teacher_tap": "conv2"], setup: RelationFixtures.setup(mlp, [lenet]))
        let rkd = try XCTUnwrap(method as? RKD)
        XCTAssertEqual([rkd.studentTap, rkd.teacherTap], ["hidden2", "conv2"])
        let terms = method.losses(RelationFixtures.step(RelationFixtures.setup(mlp, [lenet])))
        XCTAssertTrue(terms.allSatisfy { $0.value.item.isFinite })
    }

    func testCombinationAndErrors() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let combined = try RelationFixtures.build(["rkd", "kd"], setup: setup)
        XCTAssertEqual(combined.losses(RelationFixtures.step(setup)).map(\.name), ["ce", "rkd_d", "rkd_a", "kd"])
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["rkd"], ["student_tap": "layer9"], setup: setup) },
            "method.student_tap: student resnet8 has no tap 'layer9' (taps: stem, layer1.preact, layer1, layer2.preact, layer2, "
                + "layer3.preact, layer3, pool, logits)")
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["rkd"], setup: RelationFixtures.setup(setup.student, [])) },
            "method.name: rkd needs a teacher (set teacher.checkpoint)")
    }
}
