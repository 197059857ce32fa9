// ESKD (Cho & Hariharan 2019): KD until kd_stop_epoch, then labels alone with CE weight 1 and no
// teacher forwards; the teacher use per epoch, and the errors shared with kd.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class ESKDTests: XCTestCase {
    func makeSetup(augmented: Bool = false) throws -> MethodSetup {
        RelationFixtures.setup(
            try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")], augmented: augmented)
    }

    func testStopsDistillingAtTheEpoch() throws {
        let setup = try makeSetup()
        let method = try RelationFixtures.build(["eskd"], ["kd_stop_epoch": 2], setup: setup)
        let eskd = try XCTUnwrap(method as? ESKD)
        let stage = Stage("train", epochs: 6)
        XCTAssertEqual((0..<4).map { eskd.teacherUse(in: stage, epoch: $0) }, [.logits, .logits, .none, .none])
        XCTAssertEqual(method.teacherUse(in: stage), .logits)
        XCTAssertEqual(eskd.kdStopEpoch, 2)

        let during = RelationFixtures.step(setup, epoch: 1)
        let terms = method.losses(during)
        XCTAssertEqual(terms.map(\.name), ["ce", "kd"])
        let ce = crossEntropy(during.student.logits, labels: during.labels).item
        XCTAssertEqual(terms[0].value.item, 0.1 * ce, accuracy: 1e-5)
        let kd = SoftTargets.kd(student: during.student.logits, teacher: during.teacher.logits, temperature: 4).item
        XCTAssertEqual(terms[1].value.item, 0.9 * kd, accuracy: 1e-5)

        // From the stop on the runner supplies no teacher: the loss is CE alone with weight 1.
        let x = randomTensor([4] + setup.student.spec.inputShape, seed: 5)
        let after = StepContext(
            labels: during.labels, student: setup.student.forward(x, ForwardContext(training: true)),
            teachers: [], epoch: 2, stage: stage)
        let late = method.losses(after)
        XCTAssertEqual(late.map(\.name), ["ce", "kd"])
        XCTAssertEqual(late[0].value.item, crossEntropy(after.student.logits, labels: after.labels).item, accuracy: 1e-5)
        XCTAssertEqual(late[1].value.item, 0)
        late[0].value.backward()
        XCTAssertTrue(setup.student.parameters.contains { $0.grad != nil })
    }

    func testDefaultsNeverStopAndZeroNeverDistills() throws {
        let setup = try makeSetup()
        let plain = try XCTUnwrap(try RelationFixtures.build(["eskd"], setup: setup) as? ESKD)
        XCTAssertNil(plain.kdStopEpoch)
        XCTAssertEqual(plain.teacherUse(in: Stage("train", epochs: 6), epoch: 500), .logits)
        XCTAssertEqual(plain.losses(RelationFixtures.step(setup, epoch: 5)).map(\.name), ["ce", "kd"])
        let never = try XCTUnwrap(try RelationFixtures.build(["eskd"], ["kd_stop_epoch": 0], setup: setup) as? ESKD)
        XCTAssertEqual(never.teacherUse(in: Stage("train", epochs: 6)), .none)
        XCTAssertEqual(never.teacherUse(in: Stage("train", epochs: 6), epoch: 0), .none)
        let spec = try XCTUnwrap(ESKD.params.first { $0.name == "kd_stop_epoch" })
        XCTAssertEqual(spec.defaultValue, .absent)
        XCTAssertEqual(
            ESKD.params.map(\.name), ["T", "ce_weight", "kd_weight", "logit_standardization", "cache_teacher", "kd_stop_epoch"])
        XCTAssertEqual(ParamSpec.problems(in: ESKD.params), [])
    }

    func testErrors() throws {
        let setup = try makeSetup()
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["eskd"], ["kd_stop_epoch": -1], setup: setup) },
            "method.kd_stop_epoch: expected an integer >= 0, found -1")
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["eskd"], ["kd_stop_epoch": 1.5], setup: setup) },
            "method.kd_stop_epoch: expected an integer, found a number")
        XCTAssertEqual(
            RelationFixtures.error {
                try RelationFixtures.build(["eskd"], ["cache_teacher": true], setup: try self.makeSetup(augmented: true))
            },
            "method.cache_teacher: needs data.augment off (a cached teacher sees each image once, unaugmented)")
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["eskd"], setup: RelationFixtures.setup(setup.student, [])) },
            "method.name: eskd needs a teacher (set teacher.checkpoint)")
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["eskd", "kd"], setup: setup) },
            "method.name: 'eskd' cannot be combined (in 'eskd+kd'); combine a feature or relation method with kd (at+kd)")
    }
}
