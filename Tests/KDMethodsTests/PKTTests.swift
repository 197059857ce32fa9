// PKT (Passalis & Tefas 2018): the term against PyTorch (scripts/golden/zoo_losses.py), including a
// zero embedding row, a gradient check, and the method built through the registry (taps, terms, +kd).

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class PKTTests: XCTestCase {
    typealias G = ZooLossGolden

    func testGoldenWithAZeroRow() {
        let student = RelationFixtures.tensor(G.pktStudentShape, G.pktStudent)
        let teacher = RelationFixtures.tensor(G.pktTeacherShape, G.pktTeacher)
        student.requiresGrad = true
        let loss = PKT.loss(student: student, teacher: teacher)
        assertClose([loss.item], [G.pktLoss], atol: 1e-9, rtol: 1e-5, "pkt value")
        loss.backward()
        // Row 3 is zero: its gradient is 1e7 times larger than the others', as in PyTorch (x / (‖x‖ + 1e-7)).
        assertClose(student.grad?.scalars ?? [], G.pktGrad, atol: 1e-8, rtol: 1e-3, "pkt gradient")
        XCTAssertNil(teacher.grad)
    }

    func testGradientCheckAndInvariance() {
        let teacher = randomTensor([5, 7], seed: 41)
        assertGradientsMatch([randomTensor([5, 4], seed: 42)]) { x in PKT.loss(student: x[0], teacher: teacher) * 100 }
        // Cosines ignore each row's scale: a student that is a rescaled teacher matches it exactly.
        XCTAssertEqual(PKT.loss(student: teacher * 3, teacher: teacher).item, 0, accuracy: 1e-7)
        XCTAssertGreaterThan(PKT.loss(student: randomTensor([5, 7], seed: 43), teacher: teacher).item, 1e-4)
        let p = PKT.conditionalProbabilities(teacher)
        for row in 0..<5 { XCTAssertEqual((0..<5).map { p.scalars[row * 5 + $0] }.reduce(0, +), 1, accuracy: 1e-5) }
    }

    func testMethodTapsTermsAndCombination() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["pkt"], setup: setup)
        let pkt = try XCTUnwrap(method as? PKT)
        XCTAssertEqual([pkt.studentTap, pkt.teacherTap], ["pool", "pool"])
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .features(["pool"]))
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "pkt"])
        let expected = PKT.loss(student: step.student.taps["pool"]!, teacher: step.teacher.taps["pool"]!).item * 30000
        XCTAssertEqual(terms[1].value.item, expected, accuracy: 1e-3 * Swift.max(1, expected))
        XCTAssertEqual(ParamSpec.problems(in: PKT.params), [])
        let combined = try RelationFixtures.build(["pkt", "kd"], setup: setup)
        XCTAssertEqual(combined.losses(step).map(\.name), ["ce", "pkt", "kd"])
        let lenet = RelationFixtures.setup(try RelationFixtures.model("lenet5"), [try RelationFixtures.model("resnet8")])
        XCTAssertEqual((try RelationFixtures.build(["pkt"], setup: lenet) as? PKT)?.studentTap, "fc2")
    }
}
