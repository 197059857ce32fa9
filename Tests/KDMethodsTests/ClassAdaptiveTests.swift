// ClassAdaptiveTests: kd's class_adaptive (beyond.md 3.3): the loss and gradient against PyTorch
// (scripts/golden/class_adaptive.py), plain kd when every r_c is 1, the reliability rule, unlabelled
// samples, the x+kd combination and the errors naming the key.

import Foundation
import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class ClassAdaptiveTests: XCTestCase {
    typealias G = ClassAdaptiveGolden

    /// A kd setup with `classes` classes (lenet5 on both sides) and the teacher's validation accuracy.
    private func setup(classes: Int = 5, accuracy: [Double]? = nil) throws -> MethodSetup {
        var s = RelationFixtures.setup(
            try RelationFixtures.model("lenet5", classes: classes),
            [try RelationFixtures.model("lenet5", classes: classes, seed: 2)])
        s.teacherValidationAccuracy = accuracy
        return s
    }

    private func rule(gamma: Double) -> ParamValue {
        var p = ParamValues(defaults: ClassAdaptive.ruleParams, path: "method.class_adaptive")
        p["gamma"] = .number(gamma)
        return .object(p)
    }

    private func step(_ logits: Tensor, labels: [Int32]) -> StepContext {
        StepContext(
            labels: labels, student: ModelOutput(logits: logits, taps: [:]),
            teachers: [ModelOutput(logits: Tensor(shape: [6, 5], scalars: G.teacher), taps: [:])], epoch: 0,
            stage: Stage("train", epochs: 1))
    }

    func testLossAndGradientMatchPyTorch() throws {
        let method = try RelationFixtures.build(
            ["kd"], ["class_adaptive": rule(gamma: 2)], setup: try setup(accuracy: G.accuracy))
        let z = Tensor(shape: [6, 5], scalars: G.student, requiresGrad: true)
        let terms = method.losses(step(z, labels: G.labels))
        XCTAssertEqual(terms.map(\.name), ["ce", "kd", "ce_adaptive"])
        assertClose(
            terms.map(\.value.item), [G.terms.ce, G.terms.kd, G.terms.ceAdaptive], atol: 1e-6, rtol: 1e-5, "ce, kd, ce_adaptive")
        terms.dropFirst().reduce(terms[0].value) { $0 + $1.value }.backward()
        assertClose(z.grad?.scalars ?? [], G.gradient, atol: 1e-6, rtol: 1e-4, "d(sum)/dz_s")
    }

    func testReliabilityRule() throws {
        let r = try ClassAdaptive.reliability(accuracy: G.accuracy, gamma: 2)
        for (a, b) in zip(r, G.reliability) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertEqual(try ClassAdaptive.reliability(accuracy: [0.5, 0.25, 0], gamma: 1), [1, 0.5, 0])
        XCTAssertEqual(try ClassAdaptive.reliability(accuracy: [0.5, 0.25, 0], gamma: 0), [1, 1, 1], "gamma 0: plain kd")
        XCTAssertThrowsError(try ClassAdaptive.reliability(accuracy: [0, 0], gamma: 1)) { error in
            XCTAssertTrue("\(error)".hasPrefix("method.class_adaptive: the teacher classifies no validation image"), "\(error)")
        }
        let weights = ClassAdaptive(reliability: [1, 0.5, 0]).classWeights(ce: 0.1, kd: 0.9)
        XCTAssertEqual(weights.kd, [0.9, 0.45, 0])
        for (a, b) in zip(weights.ce, [0.1, 0.55, 1.0]) { XCTAssertEqual(a, b, accuracy: 1e-12, "total weight kept") }
    }

    func testEveryReliabilityOneIsPlainKD() throws {
        let s = try setup()
        let plain = try RelationFixtures.build(["kd"], setup: s)
        let ones = try RelationFixtures.build(
            ["kd"], ["alpha_per_class": .list(Array(repeating: .number(1), count: 5))], setup: s)
        let perfect = try RelationFixtures.build(
            ["kd"], ["class_adaptive": rule(gamma: 1)], setup: try setup(accuracy: Array(repeating: 0.9, count: 5)))
        let za = Tensor(shape: [6, 5], scalars: G.student, requiresGrad: true)
        let a = plain.losses(step(za, labels: G.labels))
        (a[0].value + a[1].value).backward()
        for method in [ones, perfect] {
            let zb = Tensor(shape: [6, 5], scalars: G.student, requiresGrad: true)
            let b = method.losses(step(zb, labels: G.labels))
            XCTAssertEqual(b.map(\.name), ["ce", "kd", "ce_adaptive"])
            XCTAssertEqual(b[0].value.item, a[0].value.item)
            XCTAssertEqual(b[1].value.item, a[1].value.item, "kd weighted by 1 is kd")
            XCTAssertEqual(b[2].value.item, 0, "nothing moved")
            b.dropFirst().reduce(b[0].value) { $0 + $1.value }.backward()
            XCTAssertEqual(zb.grad?.scalars ?? [], za.grad?.scalars ?? [])
        }
    }

    func testUnlabelledSamplesKeepPlainKDAndNoLabelTerm() throws {
        let adaptive = ClassAdaptive(reliability: [0.2, 0.5, 1])
        let (kd, moved) = adaptive.sampleWeights([1, -1, 0, 2])
        XCTAssertEqual(kd, [0.5, 1, 0.2, 1])
        XCTAssertEqual(moved, [0.5, 0, 0.8, 0])
    }

    func testCombinationKeepsTheAdaptiveTerms() throws {
        let s = FeatureMethodKit.self
        var built = try s.setup(student: "resnet8", teacher: "resnet14")
        built.teacherValidationAccuracy = Array(repeating: 0.5, count: 9) + [0.25]
        let method = try s.build(["at", "kd"], built, ["class_adaptive": rule(gamma: 1)])
        let names = method.losses(s.step(built, stage: Stage("train", epochs: 6))).map(\.name)
        XCTAssertEqual(names, ["ce", "at", "kd", "ce_adaptive"], "at's ce once, then kd's weighted terms")
    }

    func testErrorsNameTheKey() throws {
        let s = try setup()
        XCTAssertEqual(
            RelationFixtures.error {
                try RelationFixtures.build(["kd"], ["alpha_per_class": .list([.number(1), .number(0.5)])], setup: s)
            },
            "method.alpha_per_class: expected 5 numbers in [0, 1] (one per class), found 2")
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["kd"], ["class_adaptive": rule(gamma: 1)], setup: s) },
            "method.class_adaptive: needs the teacher's per-class accuracy on the validation split (set data.validation > 0)")
        XCTAssertEqual(
            RelationFixtures.error {
                try RelationFixtures.build(
                    ["kd"], ["class_adaptive": rule(gamma: 1), "alpha_per_class": .list(Array(repeating: .number(1), count: 5))],
                    setup: s)
            },
            "method.alpha_per_class: expected class_adaptive or alpha_per_class, found both")
        XCTAssertEqual(ParamSpec.problems(in: KD.params), [])
    }
}
