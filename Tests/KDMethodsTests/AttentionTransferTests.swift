// Attention transfer: gradients and PyTorch golden values and gradients of both loss forms, default taps per
// architecture, the at+kd combination's weights, and the one-line errors on bad taps.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class AttentionTransferTests: XCTestCase {
    typealias Kit = FeatureMethodKit

    func testDeclarationsAreSound() {
        XCTAssertEqual(ParamSpec.problems(in: AttentionTransfer.params), [])
        XCTAssertEqual(MethodRegistry.entry("at")?.combinable, true)
    }

    func testGradientsOfBothModes() {
        let teacher = [randomTensor([2, 4, 4, 4], seed: 5), randomTensor([2, 3, 2, 2], seed: 6)]
        for mode in [AttentionTransfer.Mode.code, .paper] {
            for p: Float in [2, 3] {
                let inputs = [randomTensor([2, 3, 4, 4], seed: 1), randomTensor([2, 2, 4, 4], seed: 2)]  // second pair pooled
                assertGradientsMatch(inputs) {
                    AttentionTransfer.loss(student: $0, teacher: teacher, beta: 10, p: p, mode: mode)
                }
            }
        }
    }

    func testGoldenValuesAndGradients() {
        for (name, mode, p, beta, s, t, expected, gradients) in atGolden {
            guard let m = AttentionTransfer.Mode(rawValue: mode) else { return XCTFail("mode \(mode)") }
            let students = s.map(Kit.tensor), teachers = t.map(Kit.golden)
            let value = AttentionTransfer.loss(student: students, teacher: teachers, beta: beta, p: p, mode: m)
            assertClose([value.item], [expected], atol: 0, rtol: 1e-5, name)
            value.backward()
            Kit.assertGradients(students, gradients, name)
        }
    }

    func testDefaultsPerArchitectureAndTerms() throws {
        let setup = try Kit.setup(student: "resnet8", teacher: "resnet14")
        let at = try XCTUnwrap(try Kit.build(["at"], setup) as? AttentionTransfer)
        XCTAssertEqual(at.studentTaps, ["layer1", "layer2", "layer3"])
        XCTAssertEqual(at.teacherTaps, ["layer1", "layer2", "layer3"])
        XCTAssertEqual(at.stages, [])
        XCTAssertTrue(at.extraLayers.isEmpty)
        XCTAssertEqual(at.teacherUse(in: Stage("train", epochs: 6)), .features(["layer1", "layer2", "layer3"]))
        let step = Kit.step(setup, stage: Stage("train", epochs: 6))
        let terms = at.losses(step)
        XCTAssertEqual(Kit.names(terms), ["ce", "at"])
        let expected = AttentionTransfer.loss(
            student: at.studentTaps.map { step.student.taps[$0]! },
            teacher: at.teacherTaps.map { step.teacher.taps[$0]! }, beta: 1000)
        assertClose([terms[1].value.item], [expected.item])
        assertClose([terms[0].value.item], [crossEntropy(step.student.logits, labels: step.labels).item])
        (terms[0].value + terms[1].value).backward()
        XCTAssertNotNil(setup.student.parameters.first?.grad, "the student's stem receives a gradient")

        let wrn = try Kit.setup(student: "wrn-16-1", teacher: "wrn-16-2")
        let atWRN = try XCTUnwrap(try Kit.build(["at"], wrn) as? AttentionTransfer)
        XCTAssertEqual(atWRN.studentTaps, ["block1", "block2", "block3"])
        XCTAssertEqual(atWRN.teacherTaps, ["block1", "block2", "block3"])

        let lenet = try Kit.setup(student: "lenet5", teacher: "resnet8", input: [1, 28, 28])
        let atMixed = try XCTUnwrap(try Kit.build(["at"], lenet, ["teacher_taps": ["layer1", "layer3"]]) as? AttentionTransfer)
        XCTAssertEqual(atMixed.studentTaps, ["conv1", "conv2"])
        XCTAssertEqual(Kit.names(atMixed.losses(Kit.step(lenet, stage: Stage("train", epochs: 6), batch: 2))), ["ce", "at"])
    }

    func testAtPlusKDWeights() throws {
        let setup = try Kit.setup(student: "resnet8", teacher: "resnet14")
        let params = Kit.params(["at", "kd"])
        XCTAssertEqual(try params.double("ce_weight"), 0.1, "kd's default (RepDistiller), not at's 1")
        XCTAssertEqual(try params.double("kd_weight"), 0.9)
        XCTAssertEqual(try params.double("T"), 4)
        XCTAssertEqual(try params.double("beta"), 1000, "at's own weight")
        let method = try Kit.build(["at", "kd"], setup)
        let step = Kit.step(setup, stage: Stage("train", epochs: 6))
        let terms = method.losses(step)
        XCTAssertEqual(Kit.names(terms), ["ce", "at", "kd"], "each term once")
        assertClose([terms[0].value.item], [0.1 * crossEntropy(step.student.logits, labels: step.labels).item])
        let kd = SoftTargets.kd(student: step.student.logits, teacher: step.teacher.logits, temperature: 4)
        assertClose([terms[2].value.item], [0.9 * kd.item])
        let use = method.teacherUse(in: Stage("train", epochs: 6))
        XCTAssertEqual(use, .features(["layer1", "layer2", "layer3"]), "taps of at, logits of kd")
    }

    func testPaperModeIsHalfBetaTimesNorm() throws {
        let setup = try Kit.setup(student: "resnet8", teacher: "resnet14")
        let at = try Kit.build(
            ["at"], setup, ["mode": "paper", "beta": 4, "student_taps": ["layer3"], "teacher_taps": ["layer2"]])
        let step = Kit.step(setup, stage: Stage("train", epochs: 6))
        let expected = AttentionTransfer.loss(
            student: [step.student.taps["layer3"]!], teacher: [step.teacher.taps["layer2"]!],
            beta: 4, mode: .paper)
        assertClose([at.losses(step)[1].value.item], [expected.item])
    }

    func testErrors() throws {
        let setup = try Kit.setup(student: "resnet8", teacher: "resnet14")
        XCTAssertEqual(
            Kit.message { try Kit.build(["at"], setup, ["student_taps": ["layer9"]]) },
            "method.student_taps: student resnet8 has no tap 'layer9' (taps: stem, layer1.preact, layer1, "
                + "layer2.preact, layer2, layer3.preact, layer3, pool, logits)")
        XCTAssertEqual(
            Kit.message { try Kit.build(["at"], setup, ["student_taps": ["layer1", "pool", "layer3"]]) },
            "method.student_taps: expected a [C, H, W] feature map, student resnet8 tap 'pool' is [64] "
                + "(spatial taps: stem, layer1, layer2, layer3)")
        XCTAssertEqual(
            Kit.message { try Kit.build(["at"], setup, ["teacher_taps": ["layer3"]]) },
            "method.teacher_taps: expected 3 taps to pair with student_taps [layer1, layer2, layer3], found 1 [layer3]")
        XCTAssertEqual(
            Kit.message { try Kit.build(["at"], setup, ["student_taps": []]) },
            "method.student_taps: expected at least one tap name, found an empty list")
        let mlp = try Kit.setup(student: "mlp-20-20", teacher: "resnet8", input: [1, 16, 16])
        XCTAssertEqual(
            Kit.message { try Kit.build(["at"], mlp) },
            "method.student_taps: student mlp-20-20 has no spatial taps; at needs [C, H, W] feature maps")
        let alone = try Kit.setup(student: "resnet8", teacher: nil)
        XCTAssertTrue(Kit.message { try Kit.build(["at"], alone) }.contains("at needs a teacher"))
    }
}
