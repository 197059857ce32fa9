// FSP: gradient check and PyTorch golden values and gradients of the loss, the two stages and what each needs from the
// teacher, default pairs per architecture, and the channel-count and stage-length errors.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class FSPTests: XCTestCase {
    typealias Kit = FeatureMethodKit

    func testDeclarationsAreSound() {
        XCTAssertEqual(ParamSpec.problems(in: FSP.params), [])
        XCTAssertEqual(MethodRegistry.entry("fsp")?.combinable, false)
    }

    func testGradient() {
        let teacher = [
            (randomTensor([2, 3, 8, 8], seed: 5), randomTensor([2, 4, 4, 4], seed: 6)),
            (randomTensor([2, 4, 4, 4], seed: 7), randomTensor([2, 2, 4, 4], seed: 8)),
        ]
        let inputs = [
            randomTensor([2, 3, 4, 4], seed: 1), randomTensor([2, 4, 4, 4], seed: 2), randomTensor([2, 2, 2, 2], seed: 3),
        ]
        assertGradientsMatch(inputs) {
            FSP.loss(student: [($0[0], $0[1]), ($0[1], $0[2])], teacher: teacher, beta: 2)  // second pair max-pooled
        }
    }

    func testGoldenValuesAndGradients() {
        for (name, beta, s, t, expected, gradients) in fspGolden {
            let students = s.map { (Kit.tensor($0.0), Kit.tensor($0.1)) }
            let value = FSP.loss(student: students, teacher: t.map { (Kit.golden($0.0), Kit.golden($0.1)) }, beta: beta)
            assertClose([value.item], [expected], atol: 0, rtol: 1e-5, name)
            value.backward()
            Kit.assertGradients(students.flatMap { [$0.0, $0.1] }, gradients, name)
        }
    }

    func testStagesTeacherUseAndTerms() throws {
        let setup = try Kit.setup(student: "resnet8", teacher: "resnet14", epochs: 7)
        let fsp = try XCTUnwrap(try Kit.build(["fsp"], setup) as? FSP)
        let (first, train) = (Stage("fsp", epochs: 2), Stage("train", epochs: 5))
        XCTAssertEqual(fsp.stages, [first, train])
        XCTAssertTrue(fsp.studentPairs.elementsEqual([("stem", "layer1"), ("layer1", "layer2"), ("layer2", "layer3")], by: ==))
        XCTAssertEqual(fsp.teacherUse(in: first), .features(["stem", "layer1", "layer2", "layer3"]))
        XCTAssertEqual(fsp.teacherUse(in: train), .none)

        let step = Kit.step(setup, stage: first)
        let terms = fsp.losses(step)
        XCTAssertEqual(Kit.names(terms), ["fsp"], "no cross-entropy in the FSP stage")
        let tap = { (o: ModelOutput, a: String, b: String) in (o.taps[a]!, o.taps[b]!) }
        let expected = FSP.loss(
            student: fsp.studentPairs.map { tap(step.student, $0.0, $0.1) },
            teacher: fsp.teacherPairs.map { tap(step.teacher, $0.0, $0.1) }, beta: 0.01)  // the default
        assertClose([terms[0].value.item], [expected.item])
        terms[0].value.backward()
        XCTAssertNotNil(setup.student.parameters.first?.grad)

        let trainStep = Kit.step(setup, stage: train)
        let trainTerms = fsp.losses(trainStep)
        XCTAssertEqual(Kit.names(trainTerms), ["ce"])
        assertClose([trainTerms[0].value.item], [crossEntropy(trainStep.student.logits, labels: trainStep.labels).item])

        let kd = try Kit.build(["fsp"], setup, ["stage2": "kd", "fsp_epochs": 3])
        XCTAssertEqual(kd.stages, [Stage("fsp", epochs: 3), Stage("train", epochs: 4)])
        XCTAssertEqual(kd.teacherUse(in: Stage("train", epochs: 4)), .logits)
        let kdStep = Kit.step(setup, stage: Stage("train", epochs: 4))
        let kdTerms = kd.losses(kdStep)
        XCTAssertEqual(Kit.names(kdTerms), ["ce", "kd"])
        assertClose([kdTerms[0].value.item], [0.1 * crossEntropy(kdStep.student.logits, labels: kdStep.labels).item])
        let soft = SoftTargets.kd(student: kdStep.student.logits, teacher: kdStep.teacher.logits, temperature: 4)
        assertClose([kdTerms[1].value.item], [0.9 * soft.item])
    }

    func testPairsPerArchitectureAndCustomPairs() throws {
        let wrn = try Kit.setup(student: "wrn-16-1", teacher: "wrn-40-1", epochs: 3)
        let fsp = try XCTUnwrap(try Kit.build(["fsp"], wrn) as? FSP)
        XCTAssertTrue(fsp.teacherPairs.elementsEqual([("stem", "block1"), ("block1", "block2"), ("block2", "block3")], by: ==))
        XCTAssertEqual(fsp.stages, [Stage("fsp", epochs: 1), Stage("train", epochs: 2)])

        let mixed = try Kit.setup(student: "resnet8", teacher: "wrn-16-1", epochs: 3)
        let custom = try XCTUnwrap(
            try Kit.build(
                ["fsp"], mixed,
                [
                    "student_pairs": [["layer1", "layer3"]],
                    "teacher_pairs": [["block1", "block3"]],
                ]) as? FSP)
        XCTAssertTrue(custom.studentPairs.elementsEqual([("layer1", "layer3")], by: ==))
        XCTAssertEqual(Kit.names(custom.losses(Kit.step(mixed, stage: Stage("fsp", epochs: 1), batch: 2))), ["fsp"])
    }

    func testErrors() throws {
        let wide = try Kit.setup(student: "resnet8", teacher: "resnet8x4")
        XCTAssertEqual(
            Kit.message { try Kit.build(["fsp"], wide) },
            "method.student_pairs: fsp needs equal channel counts: student resnet8 (stem, layer1) has 16x16 channels, "
                + "teacher resnet8x4 (stem, layer1) has 32x64")
        let setup = try Kit.setup(student: "resnet8", teacher: "resnet14", epochs: 4)
        XCTAssertEqual(
            Kit.message { try Kit.build(["fsp"], setup, ["fsp_epochs": 4]) },
            "method.fsp_epochs: fsp needs fewer FSP epochs than the run's 4 (the train stage needs at least one), found 4")
        let short = try Kit.setup(student: "resnet8", teacher: "resnet14", epochs: 1)
        XCTAssertTrue(Kit.message { try Kit.build(["fsp"], short) }.hasPrefix("method.fsp_epochs: "))
        XCTAssertEqual(
            Kit.message {
                try Kit.build(["fsp"], setup, ["student_pairs": [["layer1", "pool"]], "teacher_pairs": [["layer1", "pool"]]])
            },
            "method.student_pairs: expected a [C, H, W] feature map, student resnet8 tap 'pool' is [64] "
                + "(spatial taps: stem, layer1, layer2, layer3)")
        XCTAssertEqual(
            Kit.message { try Kit.build(["fsp"], setup, ["teacher_pairs": [["stem", "layer1"]]]) },
            "method.teacher_pairs: expected 3 pairs to match student_pairs, found 1")
        XCTAssertTrue(Kit.message { try Kit.build(["fsp", "kd"], setup) }.contains("'fsp' cannot be combined"))
    }
}
