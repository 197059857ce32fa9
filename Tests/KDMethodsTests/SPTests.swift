// SP (Tung & Mori 2019): the similarity term against PyTorch (RepDistiller's Similarity), a gradient
// check, and the method built through the registry (default and listed taps, terms, errors).

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class SPTests: XCTestCase {
    typealias G = RelationLossGolden

    func testGoldenTwoPairs() {
        let students = zip(G.spStudentShapes, G.spStudents).map { RelationFixtures.tensor($0, $1) }
        let teachers = zip(G.spTeacherShapes, G.spTeachers).map { RelationFixtures.tensor($0, $1) }
        for s in students { s.requiresGrad = true }
        let loss = SP.loss(student: students, teacher: teachers)
        assertClose([loss.item], [G.spLoss], atol: 1e-7, rtol: 1e-5, "sp value")
        loss.backward()
        for (s, g) in zip(students, G.spGrads) { assertClose(s.grad?.scalars ?? [], g, atol: 1e-7, rtol: 1e-3, "sp gradient") }
        XCTAssertTrue(teachers.allSatisfy { $0.grad == nil })
        let first = SP.loss(student: [students[0]], teacher: [teachers[0]])
        assertClose([first.item], [G.spFirstPairLoss], atol: 1e-7, rtol: 1e-5, "one pair")
    }

    func testGradientCheckAndInvariance() {
        let teacher = randomTensor([4, 5, 2, 2], seed: 31)
        assertGradientsMatch([randomTensor([4, 3, 2, 2], seed: 32)], eps: 1e-3) { x in
            SP.loss(student: [x[0]], teacher: [teacher]) * 100
        }
        // The Gram's rows are normalised: scaling a sample's features leaves its row unchanged.
        XCTAssertEqual(SP.loss(student: [teacher * 7], teacher: [teacher]).item, 0, accuracy: 1e-7)
    }

    func testMethodDefaultTaps() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("wrn-10-2")])
        let method = try RelationFixtures.build(["sp"], setup: setup)
        let sp = try XCTUnwrap(method as? SP)
        XCTAssertEqual([sp.studentTaps, sp.teacherTaps], [["layer3"], ["block3"]])
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .features(["block3"]))
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "sp"])
        let expected = SP.loss(student: [step.student.taps["layer3"]!], teacher: [step.teacher.taps["block3"]!]).item * 3000
        XCTAssertEqual(terms[1].value.item, expected, accuracy: 1e-3)
        XCTAssertEqual(SP.defaultTap(try RelationFixtures.model("lenet5")), "conv2")
        XCTAssertEqual(SP.defaultTap(try RelationFixtures.model("mlp-8-6")), "hidden2")
        XCTAssertEqual(ParamSpec.problems(in: SP.params), [])
    }

    func testListedTapsCombinationAndErrors() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let taps: ParamValue = ["layer2", "layer3"]
        let method = try RelationFixtures.build(
            ["sp", "kd"], ["student_taps": taps, "teacher_taps": taps, "gamma": 10], setup: setup)
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "sp", "kd"])
        let pairs = ["layer2", "layer3"]
        let expected =
            SP.loss(student: pairs.map { step.student.taps[$0]! }, teacher: pairs.map { step.teacher.taps[$0]! }).item * 10
        XCTAssertEqual(terms[1].value.item, expected, accuracy: 1e-5)

        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["sp"], ["student_taps": taps], setup: setup) },
            "method.teacher_taps: expected 2 taps to pair with student_taps, found 1")
        XCTAssertEqual(
            RelationFixtures.error {
                try RelationFixtures.build(["sp"], ["student_taps": [], "teacher_taps": []], setup: setup)
            },
            "method.student_taps: expected at least one tap, found an empty list")
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["sp"], ["teacher_taps": ["block3"]], setup: setup) },
            "method.teacher_taps: teacher resnet14 has no tap 'block3' (taps: stem, layer1.preact, layer1, layer2.preact, layer2, "
                + "layer3.preact, layer3, pool, logits)")
    }
}
