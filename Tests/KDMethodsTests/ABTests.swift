// AB (Heo et al. 2019): the boundary loss against PyTorch at ±μ and 0 (scripts/golden/zoo_losses.py), a
// gradient check, the initialisation stage (SGD, constant lr, fc frozen) and the main stage on CE.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class ABTests: XCTestCase {
    typealias G = ZooLossGolden

    func testGoldenAtTheBoundaries() {
        let s = Tensor(shape: [2, 8], scalars: G.abStudent, requiresGrad: true)
        let t = Tensor(shape: [2, 8], scalars: G.abTeacher)
        let loss = AB.loss(student: s, teacher: t, margin: 1)
        assertClose([loss.item], [G.abLoss], atol: 1e-8, rtol: 1e-5, "ab value")
        loss.backward()
        assertClose(s.grad?.scalars ?? [], G.abGrad, atol: 1e-8, rtol: 1e-5, "ab gradient")
        XCTAssertNil(t.grad)
    }

    func testGradientCheck() {
        let t = randomTensor([2, 3, 2, 2], seed: 101)
        assertGradientsMatch([randomTensor([2, 3, 2, 2], seed: 102, std: 2)], eps: 1e-3) { x in
            AB.loss(student: x[0], teacher: t, margin: 1) * 100
        }
    }

    func testStagesTapsAndTerms() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["ab"], ["ab_epochs": .integer(2)], setup: setup)
        let ab = try XCTUnwrap(method as? AB)
        XCTAssertEqual(ab.studentTaps, ["layer1.preact", "layer2.preact", "layer3.preact"])
        XCTAssertTrue(ab.connectors.allSatisfy { $0 == nil }, "equal shapes: identity connectors")
        XCTAssertEqual(
            method.stages, [Stage("ab", epochs: 2, initialization: true, frozen: ["fc."]), Stage("train", epochs: 6)])
        let first = method.stages[0], main = method.stages[1]
        XCTAssertEqual(method.teacherUse(in: first), .features(["layer1.preact", "layer2.preact", "layer3.preact"]))
        XCTAssertEqual(method.teacherUse(in: main), TeacherUse.none)
        let step = RelationFixtures.step(setup)
        let initStep = StepContext(labels: step.labels, student: step.student, teachers: step.teachers, epoch: 0, stage: first)
        XCTAssertEqual(method.losses(initStep).map(\.name), ["ab"])
        XCTAssertEqual(method.losses(step).map(\.name), ["ce"])
        // ab+kd: the initialisation stage belongs to ab alone; kd joins the main stage.
        let combined = try RelationFixtures.build(["ab", "kd"], ["ab_epochs": .integer(2)], setup: setup)
        XCTAssertEqual(combined.losses(initStep).map(\.name), ["ab"])
        XCTAssertEqual(combined.losses(step).map(\.name), ["ce", "kd"])
        XCTAssertEqual(ParamSpec.problems(in: AB.params), [])
    }
}
