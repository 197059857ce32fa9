// ClassAdaptive: kd's `class_adaptive` option (beyond.md 3.3), after Lukasik et al. 2022 ("Teacher's pet"):
// per class c a reliability r_c moves weight from the teacher term to the label term, kd_c = kd_weight·r_c,
// ce_c = ce_weight + kd_weight·(1 − r_c); r_c = (a_c / max a)^γ from the teacher's validation accuracy a_c.

import Foundation

/// The per-class reliabilities of a class-adaptive kd term and the per-sample weights they give a batch.
public struct ClassAdaptive: Equatable, Sendable {
    /// The one rule: r_c from the teacher's per-class accuracy on the validation split.
    public static let teacherValidationAccuracy = "teacher-val-accuracy"

    /// Keys of `class_adaptive`; a bare string is the rule.
    public static let ruleParams: [ParamSpec] = [
        ParamSpec(
            "rule", .string(choices: [teacherValidationAccuracy]), default: .value(.string(teacherValidationAccuracy)),
            doc: "r_c = (a_c / max a)^gamma, a_c the teacher's accuracy on validation images of class c"),
        ParamSpec("gamma", .number(.nonNegative), default: 1, doc: "exponent of the relative accuracy (0: plain kd)"),
    ]

    /// kd's parameters for it (also those of every `x+kd`): at most one of the two.
    public static let params: [ParamSpec] = [
        ParamSpec(
            "class_adaptive", .object(ruleParams, shorthand: "rule"), default: .absent,
            doc: "{rule: teacher-val-accuracy, gamma: 1}: per class, weight kd_weight*r_c on the teacher and "
                + "kd_weight*(1-r_c) more on the labels, r_c from the teacher's validation accuracy (needs "
                + "data.validation > 0; unlabelled samples keep plain kd)"),
        ParamSpec(
            "alpha_per_class", .list(.number(.unitInterval)), default: .absent,
            doc: "r_c for each class in label order, given instead of class_adaptive's rule"),
    ]

    /// r_c per class, in label order, each in [0, 1].
    public let reliability: [Double]

    /// The reliabilities `p` asks for, or nil when it asks for none (plain kd). `alpha_per_class` gives them;
    /// `class_adaptive` computes them from `setup.teacherValidationAccuracy`. Errors name the key.
    public init?(_ p: ParamValues, _ setup: MethodSetup) throws {
        let k = setup.student.spec.numClasses
        if p.contains("alpha_per_class") {
            if p.contains("class_adaptive") {
                throw MethodError("\(p.keyPath("alpha_per_class")): expected class_adaptive or alpha_per_class, found both")
            }
            let given = try p.doubles("alpha_per_class")
            guard given.count == k else {
                throw MethodError(
                    "\(p.keyPath("alpha_per_class")): expected \(k) numbers in [0, 1] (one per class), found \(given.count)")
            }
            reliability = given
            return
        }
        guard p.contains("class_adaptive") else { return nil }
        let rule = try p.object("class_adaptive")
        guard let accuracy = setup.teacherValidationAccuracy, accuracy.count == k else {
            throw MethodError(
                "\(p.keyPath("class_adaptive")): needs the teacher's per-class accuracy on the validation split "
                    + "(set data.validation > 0)")
        }
        reliability = try Self.reliability(accuracy: accuracy, gamma: try rule.double("gamma"), key: p.keyPath("class_adaptive"))
    }

    /// Given reliabilities (tests, and what `alpha_per_class` decodes to).
    public init(reliability: [Double]) { self.reliability = reliability }

    /// Whether the runner must measure the teacher's per-class validation accuracy for `p`.
    public static func needsTeacherAccuracy(_ p: ParamValues) -> Bool { p.contains("class_adaptive") }

    /// `r_c = (a_c / max_c' a_c')^γ`; an error naming `key` when the teacher gets no class right.
    public static func reliability(accuracy a: [Double], gamma: Double, key: String = "method.class_adaptive") throws -> [Double]
    {
        guard let top = a.max(), top > 0 else {
            throw MethodError(
                "\(key): the teacher classifies no validation image correctly, so r_c = (a_c / max a)^gamma is undefined")
        }
        return a.map { Swift.min(1, Swift.max(0, $0 / top)) }.map { gamma == 0 ? 1 : pow($0, gamma) }
    }

    /// Per sample of a batch with `labels` `[B]`: the kd weight r_c and the share 1 − r_c of kd_weight moved to
    /// the label term. A sample without a label (`data.labeled`) has no class: plain kd (1) and nothing moved (0).
    public func sampleWeights(_ labels: [Int32]) -> (kd: [Float], moved: [Float]) {
        let kd = labels.map { $0 >= 0 && Int($0) < reliability.count ? Float(reliability[Int($0)]) : 1 }
        return (kd, kd.map { 1 - $0 })
    }

    /// The weights per class as the loss applies them: `(ce_weight + kd_weight·(1 − r_c), kd_weight·r_c)`.
    public func classWeights(ce: Double, kd: Double) -> (ce: [Double], kd: [Double]) {
        (reliability.map { ce + kd * (1 - $0) }, reliability.map { kd * $0 })
    }
}
