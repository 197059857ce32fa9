// TF-KD: Yuan, Tay, Li, Wang & Feng 2020, "Revisiting Knowledge Distillation via Label Smoothing
// Regularization". variant self (Tf-KD_self): the student's own architecture, trained on the labels first,
// teaches a fresh copy by kd. variant reg (Tf-KD_reg): a hand-made "virtual teacher" q = softmax(u/T),
// u[y] = a and (1 − a)/(K − 1) elsewhere; L = ce_weight·CE + reg_weight·(1/B) Σ KL(q ‖ softmax(z)), T = 1 student.

import KDNN
import KDTensor

/// Teacher-free distillation: self-training (a pipeline of two runs) or a virtual teacher (one student).
public enum TFKD {
    /// `variant`'s choices.
    public enum Variant: String, CaseIterable, Sendable {
        /// Tf-KD_self.
        case selfTraining = "self"
        /// Tf-KD_reg.
        case reg
    }

    /// The authors' weights, converted from their elementwise-mean KL (÷ B·K, times a multiplier m) to
    /// batchmean at K = 100 (docs: methods-zoo.md); they stay fixed for other K.
    public static let params: [ParamSpec] = [
        ParamSpec(
            "variant", .string(choices: Variant.allCases.map(\.rawValue)), default: "self",
            doc: "self: the student's architecture trained on labels teaches a fresh copy; reg: a virtual teacher"),
        ParamSpec(
            "T", .number(.positive), default: 6,
            doc: "temperature (self: of both networks, T²-scaled; reg: of the virtual teacher)"
        )
        .defaulting(to: 20, when: "variant", is: "reg"),
        ParamSpec("ce_weight", .number(.nonNegative), default: 0.05, doc: "weight of cross-entropy with the labels")
            .defaulting(to: 0.9, when: "variant", is: "reg"),
        ParamSpec(
            "kd_weight", .number(.nonNegative), default: 0.475, doc: "self: weight of the T²-scaled KL to the trained copy"),
        ParamSpec("reg_weight", .number(.nonNegative), default: 0.1, doc: "reg: weight of the KL to the virtual teacher"),
        ParamSpec(
            "correct_prob", .number(.nonNegative), default: 0.99,
            doc: "reg: a, the virtual teacher's value at the label before its softmax at T (below 1)"),
        TeacherCaching.logitsParam,
    ]

    /// The registry entry: a pipeline for `variant: self`, one student for `variant: reg`.
    public static let entry = MethodEntry(
        name: "tfkd", citation: "Yuan et al. 2020",
        summary: "teacher-free KD: self-training (the student's own architecture teaches a fresh copy) or a virtual teacher",
        params: params, teacher: .optional,
        shape: .variant(
            key: "variant",
            shapes: [
                Variant.selfTraining.rawValue: .pipeline { p in try TFKDSelf(p) },
                Variant.reg.rawValue: .single { p, setup in try TFKDReg(p, setup) },
            ]))
}

/// Tf-KD_self: `self` (the student's architecture on the labels, unless the configured teacher is already
/// one), then `student`, a fresh copy taught by kd at T with ce_weight and kd_weight.
public final class TFKDSelf: PipelineMethod {
    /// The `kd` parameters of the second run.
    public let kdParams: ParamValues

    init(_ p: ParamValues) throws {
        kdParams = ParamValues(defaults: KD.params, path: "method")
            .setting("T", .number(try p.double("T"))).setting("ce_weight", .number(try p.double("ce_weight")))
            .setting("kd_weight", .number(try p.double("kd_weight")))
            .setting("cache_teacher", .bool(TeacherCaching.requested(p)))
    }

    /// With a configured teacher (which must have the student's architecture) only `student`.
    public func plan(student: ModelConfig, hasTeacher: Bool) throws -> [PipelineRun] {
        if hasTeacher {
            return [
                PipelineRun(name: "student", model: student, teacher: .configured, kdParams: kdParams, sameArchitecture: true)
            ]
        }
        return [
            PipelineRun(name: "self", model: student, teacher: .none, kdParams: ParamValues(path: "method")),
            PipelineRun(name: "student", model: student, teacher: .run("self"), kdParams: kdParams),
        ]
    }

    public var ensembleRuns: [String] { [] }
}

/// Tf-KD_reg: the virtual teacher's soft target instead of a network.
public final class TFKDReg: DistillationMethod {
    let temperature: Float, ceWeight: Float, regWeight: Float, correctProb: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        guard setup.teachers.isEmpty else {
            throw MethodError("teacher.checkpoint: tfkd variant reg has a virtual teacher; leave the teacher out")
        }
        if TeacherCaching.requested(p) { throw MethodError("method.cache_teacher: tfkd variant reg has no teacher to cache") }
        try setup.requireEveryLabel(for: "tfkd variant reg", reason: "its virtual teacher is built on the label")
        temperature = Float(try p.double("T"))
        ceWeight = Float(try p.double("ce_weight"))
        regWeight = Float(try p.double("reg_weight"))
        correctProb = Float(try p.double("correct_prob"))
        guard correctProb < 1 else { throw MethodError("method.correct_prob: expected a number below 1, found \(correctProb)") }
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .none }

    /// `[ce, reg]`.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let z = step.student.logits
        let target = Self.virtualTeacher(
            labels: step.labels, classes: z.shape[1], correctProb: correctProb, temperature: temperature)
        return [
            step.crossEntropyTerm(weight: ceWeight),
            LossTerm("reg", klDivergence(targetLogProbs: target.log(), logProbs: z.logSoftmax(axis: 1)) * regWeight),
        ]
    }

    /// q `[B, K]` = softmax(u/T) per sample, u[y] = a, u[k ≠ y] = (1 − a)/(K − 1) (a softmax of probabilities,
    /// as the authors' code takes it: nearly uniform at T 20).
    public static func virtualTeacher(labels: [Int32], classes k: Int, correctProb a: Float, temperature t: Float) -> Tensor {
        let other = (1 - a) / Float(k - 1)
        var u = [Float](repeating: other / t, count: labels.count * k)
        for (i, y) in labels.enumerated() { u[i * k + Int(y)] = a / t }
        return noGrad { Tensor(shape: [labels.count, k], scalars: u).softmax(axis: 1) }
    }
}
