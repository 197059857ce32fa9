// FitNets: the regressor (layer choice, PyTorch golden outputs and gradients, gradient checks, names), both modes' stages,
// teacher use and terms, the regressor mapping real zoo taps onto the teacher's, and the errors.

import Foundation
import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class FitNetTests: XCTestCase {
    typealias Kit = FeatureMethodKit

    func testDeclarationsAreSound() {
        XCTAssertEqual(ParamSpec.problems(in: FitNet.params), [])
        XCTAssertEqual(MethodRegistry.entry("fitnet")?.combinable, false)
    }

    func testKindFromShapes() {
        XCTAssertEqual(
            HintRegressor.kind(student: [16, 8, 8], teacher: [32, 8, 8]), .conv(kernelH: 1, kernelW: 1, stride: 1, padding: 0))
        XCTAssertEqual(
            HintRegressor.kind(student: [16, 16, 16], teacher: [32, 8, 8]), .conv(kernelH: 3, kernelW: 3, stride: 2, padding: 1))
        XCTAssertEqual(
            HintRegressor.kind(student: [6, 14, 14], teacher: [16, 5, 5]), .conv(kernelH: 10, kernelW: 10, stride: 1, padding: 0))
        XCTAssertEqual(
            HintRegressor.kind(student: [3, 6, 5], teacher: [4, 4, 4]), .conv(kernelH: 3, kernelW: 2, stride: 1, padding: 0))
        XCTAssertEqual(HintRegressor.kind(student: [800], teacher: [1200]), .linear)
        XCTAssertNil(HintRegressor.kind(student: [64, 4, 4], teacher: [16, 16, 16]), "student smaller")
        XCTAssertNil(HintRegressor.kind(student: [4, 8, 3], teacher: [4, 4, 4]), "smaller in W")
        XCTAssertNil(HintRegressor.kind(student: [64], teacher: [32, 8, 8]), "rank differs")
    }

    func testGoldenRegressorAndHint() throws {
        for (name, s, t, relu, offset, kind, expected, output, gradients) in hintGolden {
            let r = try XCTUnwrap(
                HintRegressor(student: Array(s.shape.dropFirst()), teacher: Array(t.shape.dropFirst()), relu: relu, seed: 0))
            switch r.kind {
            case let .conv(kh, kw, stride, padding): XCTAssertEqual("conv\(kh)x\(kw)s\(stride)p\(padding)", kind, name)
            case .linear: XCTAssertEqual("linear", kind, name)
            }
            var weight: Tensor?
            for named in r.state {
                let o: Double
                switch named.name {
                case "regressor.conv.weight", "regressor.fc.weight": (o, weight) = (offset, named.tensor)
                case "regressor.fc.bias": o = offset + 1
                default: continue
                }
                for i in 0..<named.tensor.count { named.tensor.data[i] = Float(0.3 * sin(0.11 * Double(i) + o)) }
            }
            let student = Kit.tensor(s)
            let y = r(student, ForwardContext(training: true))
            XCTAssertEqual(y.shape, t.shape, name)
            assertClose(y.scalars, output, atol: 2e-5, rtol: 1e-4, name)
            let loss = FitNet.hintLoss(regressed: y, hint: Kit.golden(t))
            assertClose([loss.item], [expected], atol: 0, rtol: 1e-5, name)
            loss.backward()
            Kit.assertGradients([student, try XCTUnwrap(weight, name)], gradients, name)
        }
    }

    func testGradientsThroughRegressor() throws {
        let cases: [([Int], [Int])] = [([2, 3, 8, 8], [2, 4, 4, 4]), ([2, 3, 6, 5], [2, 2, 4, 4]), ([3, 5], [3, 4])]
        for (s, t) in cases {
            let r = try XCTUnwrap(
                HintRegressor(student: Array(s.dropFirst()), teacher: Array(t.dropFirst()), relu: false, seed: 9))
            let target = randomTensor(t, seed: 4)
            let weight = try XCTUnwrap(r.state.first { $0.name.hasSuffix("weight") }?.tensor)
            assertGradientsMatch([randomTensor(s, seed: 2), weight]) {
                FitNet.hintLoss(regressed: r($0[0], ForwardContext(training: true)), hint: target)
            }
        }
    }

    func testTwoStageStagesTeacherUseAndTerms() throws {
        let setup = try Kit.setup(student: "resnet8", teacher: "resnet14", epochs: 7)
        let fitnet = try XCTUnwrap(try Kit.build(["fitnet"], setup) as? FitNet)
        let (hint, train) = (Stage("hint", epochs: 2), Stage("train", epochs: 5))
        XCTAssertEqual(fitnet.stages, [hint, train])
        XCTAssertEqual(fitnet.teacherUse(in: hint), .features(["layer2"]))
        XCTAssertEqual(fitnet.teacherUse(in: train), .logits)
        XCTAssertEqual([fitnet.studentTap, fitnet.teacherTap], ["layer2", "layer2"])
        XCTAssertEqual(fitnet.extraLayers.count, 1)
        XCTAssertEqual(
            fitnet.extraLayers[0].state.map(\.name),
            [
                "regressor.conv.weight", "regressor.bn.weight", "regressor.bn.bias", "regressor.bn.running_mean",
                "regressor.bn.running_var", "regressor.bn.num_batches_tracked",
            ])
        XCTAssertTrue(fitnet.regressor.relu, "resnet layer2 is post-ReLU")

        let step = Kit.step(setup, stage: hint)
        let terms = fitnet.losses(step)
        XCTAssertEqual(Kit.names(terms), ["hint"])
        terms[0].value.backward()
        XCTAssertNotNil(fitnet.regressor.parameters[0].grad, "the regressor trains")
        XCTAssertNotNil(setup.student.parameters[0].grad, "the student's stem trains")
        XCTAssertNil(setup.student.state.first { $0.name == "fc.weight" }?.tensor.grad, "the classifier is untouched")
        let regressed = noGrad { fitnet.regressor(step.student.taps["layer2"]!, ForwardContext(training: true)) }
        assertClose(
            [terms[0].value.item], [100 * FitNet.hintLoss(regressed: regressed, hint: step.teacher.taps["layer2"]!).item],
            rtol: 1e-4)

        let trainStep = Kit.step(setup, stage: train)
        let trainTerms = fitnet.losses(trainStep)
        XCTAssertEqual(Kit.names(trainTerms), ["ce", "kd"])
        assertClose([trainTerms[0].value.item], [0.1 * crossEntropy(trainStep.student.logits, labels: trainStep.labels).item])
        let soft = SoftTargets.kd(student: trainStep.student.logits, teacher: trainStep.teacher.logits, temperature: 4)
        assertClose([trainTerms[1].value.item], [0.9 * soft.item])
    }

    func testOneStage() throws {
        let setup = try Kit.setup(student: "resnet8", teacher: "resnet14")
        let fitnet = try Kit.build(["fitnet"], setup, ["mode": "one-stage"])
        XCTAssertEqual(fitnet.stages, [])
        XCTAssertEqual(fitnet.teacherUse(in: Stage("train", epochs: 6)), .features(["layer2"]))
        let step = Kit.step(setup, stage: Stage("train", epochs: 6))
        let terms = fitnet.losses(step)
        XCTAssertEqual(Kit.names(terms), ["ce", "hint"])
        assertClose([terms[0].value.item], [crossEntropy(step.student.logits, labels: step.labels).item], rtol: 1e-4)
        let withKD = try Kit.build(["fitnet"], setup, ["mode": "one-stage", "kd_weight": 0.5, "hint_weight": 10])
        XCTAssertEqual(Kit.names(withKD.losses(step)), ["ce", "hint", "kd"])
    }

    /// The regressor maps the student's tap onto the teacher's for real zoo pairs.
    func testRegressorMapsZooTaps() throws {
        try checkMappings([
            ("resnet8", "resnet20", [3, 16, 16], [:], .conv(kernelH: 1, kernelW: 1, stride: 1, padding: 0), true),
            (
                "resnet8", "resnet20", [3, 16, 16], ["student_tap": "layer1", "teacher_tap": "layer2.preact"],
                .conv(kernelH: 3, kernelW: 3, stride: 2, padding: 1), false
            ),
            ("lenet5", "lenet5", [1, 28, 28], [:], .conv(kernelH: 1, kernelW: 1, stride: 1, padding: 0), true),
            (
                "lenet5", "lenet5", [1, 28, 28], ["student_tap": "conv1"], .conv(kernelH: 10, kernelW: 10, stride: 1, padding: 0),
                true
            ),
            ("wrn-16-1", "wrn-16-2", [3, 16, 16], [:], .conv(kernelH: 1, kernelW: 1, stride: 1, padding: 0), false),
            ("mlp-20-20", "mlp-30-30-30", [1, 16, 16], [:], .linear, true),
        ])
    }

    /// resnet8x4 → resnet32x4 (RepDistiller's pair; building resnet32x4 takes ~3 s in a debug build).
    func testRegressorMapsWideResNetPair() throws {
        try checkMappings([
            ("resnet8x4", "resnet32x4", [3, 8, 8], [:], .conv(kernelH: 1, kernelW: 1, stride: 1, padding: 0), true),
            (
                "resnet8x4", "resnet32x4", [3, 8, 8], ["student_tap": "stem", "teacher_tap": "layer2"],
                .conv(kernelH: 3, kernelW: 3, stride: 2, padding: 1), true
            ),
        ])
    }

    /// Builds fitnet for each (student, teacher, input, params) and checks the regressor's layer, its
    /// ReLU, and that it maps a batch of the student's tap to the shape of the teacher's.
    func checkMappings(
        _ cases: [(String, String, [Int], [String: ParamValue], HintRegressor.Kind, Bool)],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var setups: [String: MethodSetup] = [:]
        for (student, teacher, input, extra, kind, relu) in cases {
            let label = "\(student) → \(teacher) \(extra)"
            let key = "\(student) \(teacher) \(input)"
            let setup = try setups[key] ?? Kit.setup(student: student, teacher: teacher, input: input)
            setups[key] = setup
            let fitnet = try XCTUnwrap(try Kit.build(["fitnet"], setup, extra) as? FitNet, label, file: file, line: line)
            XCTAssertEqual(fitnet.regressor.kind, kind, label, file: file, line: line)
            XCTAssertEqual(fitnet.regressor.relu, relu, label, file: file, line: line)
            let step = Kit.step(setup, stage: Stage("hint", epochs: 2), batch: 2)
            let mapped = fitnet.regressor(step.student.taps[fitnet.studentTap]!, ForwardContext(training: true))
            XCTAssertEqual(mapped.shape, step.teacher.taps[fitnet.teacherTap]!.shape, label, file: file, line: line)
            XCTAssertTrue(fitnet.losses(step)[0].value.item.isFinite, label, file: file, line: line)
        }
    }

    func testErrors() throws {
        let setup = try Kit.setup(student: "resnet8", teacher: "resnet20", epochs: 6)
        XCTAssertEqual(
            Kit.message { try Kit.build(["fitnet"], setup, ["student_tap": "layer3", "teacher_tap": "layer1"]) },
            "method.student_tap: no regressor maps student resnet8 tap 'layer3' [64, 4, 4] to teacher resnet20 tap "
                + "'layer1' [16, 16, 16] (fitnet's regressor needs a teacher feature map no larger in H and W, or a vector for a vector)"
        )
        XCTAssertTrue(Kit.message { try Kit.build(["fitnet"], setup, ["student_tap": "pool"]) }.contains("tap 'pool' [64] to"))
        XCTAssertTrue(
            Kit.message { try Kit.build(["fitnet"], setup, ["teacher_tap": "layer7"]) }
                .hasPrefix("method.teacher_tap: teacher resnet20 has no tap 'layer7'"))
        XCTAssertEqual(
            Kit.message { try Kit.build(["fitnet"], setup, ["hint_epochs": 6]) },
            "method.hint_epochs: a two-stage fitnet needs fewer hint epochs than the run's 6 (the train stage needs "
                + "at least one), found 6; raise epochs or use mode one-stage")
        XCTAssertEqual(
            Kit.message { try Kit.build(["fitnet"], setup, ["mode": "one-stage", "hint_epochs": 2]) },
            "method.hint_epochs: only used with mode two-stage, found 2 with mode one-stage")
        let short = try Kit.setup(student: "resnet8", teacher: "resnet20", epochs: 1)
        XCTAssertTrue(Kit.message { try Kit.build(["fitnet"], short) }.hasPrefix("method.hint_epochs: "))
        XCTAssertNoThrow(try Kit.build(["fitnet"], short, ["mode": "one-stage"]))
        XCTAssertTrue(Kit.message { try Kit.build(["fitnet", "kd"], setup) }.contains("'fitnet' cannot be combined"))
    }
}
