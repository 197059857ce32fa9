// NST (Huang & Wang 2017): the squared MMD against PyTorch (scripts/golden/zoo_losses.py) with channel
// counts and spatial sizes that differ, a gradient check, and the method's default taps and terms.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class NSTTests: XCTestCase {
    typealias G = ZooLossGolden

    func testGolden() {
        let student = Tensor(shape: [2, 3, 4, 4], scalars: G.nstStudent, requiresGrad: true)
        let teacher = Tensor(shape: [2, 5, 2, 2], scalars: G.nstTeacher)
        let loss = NST.mmd(student: student, teacher: teacher)
        assertClose([loss.item], [G.nstLoss], atol: 1e-6, rtol: 1e-5, "nst value")
        loss.backward()
        assertClose(student.grad?.scalars ?? [], G.nstGrad, atol: 1e-6, rtol: 1e-3, "nst gradient")
        XCTAssertNil(teacher.grad)
    }

    func testGradientCheckAndIdentity() {
        let teacher = randomTensor([2, 4, 3, 3], seed: 21)
        assertGradientsMatch([randomTensor([2, 3, 3, 3], seed: 22)]) { x in NST.mmd(student: x[0], teacher: teacher) * 10 }
        // The same channels in another order (and scale) have the same distribution: MMD 0.
        let permuted = teacher.indexSelect(axis: 1, [2, 0, 3, 1]) * 3
        XCTAssertEqual(NST.mmd(student: permuted, teacher: teacher).item, 0, accuracy: 1e-6)
        XCTAssertGreaterThan(NST.mmd(student: randomTensor([2, 4, 3, 3], seed: 23), teacher: teacher).item, 1e-3)
    }

    func testMethodTapsAndTerms() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["nst"], setup: setup)
        let nst = try XCTUnwrap(method as? NST)
        XCTAssertEqual(nst.studentTaps, ["layer1", "layer2", "layer3"])
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .features(["layer1", "layer2", "layer3"]))
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "nst"])
        let expected =
            ["layer1", "layer2", "layer3"].map {
                NST.mmd(student: step.student.taps[$0]!, teacher: step.teacher.taps[$0]!).item
            }.reduce(0, +) * 50
        XCTAssertEqual(terms[1].value.item, expected, accuracy: 1e-4 * Swift.max(1, expected))
        XCTAssertEqual(try RelationFixtures.build(["nst", "kd"], setup: setup).losses(step).map(\.name), ["ce", "nst", "kd"])
        let mlp = RelationFixtures.setup(try RelationFixtures.model("mlp-20-20"), [try RelationFixtures.model("resnet8")])
        let message = RelationFixtures.error { try RelationFixtures.build(["nst"], setup: mlp) }
        XCTAssertEqual(message, "method.student_taps: student mlp-20-20 has no spatial taps; nst needs [C, H, W] feature maps")
    }
}
