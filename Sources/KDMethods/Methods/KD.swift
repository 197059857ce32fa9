// KD: Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network":
// L = ce_weight·CE(y, z_s) + kd_weight·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)), KL batchmean; with
// logit_standardization (Sun et al. 2024) the logits are z-scored first and T 2, kd_weight 9 by default.
// With class_adaptive (ClassAdaptive) each sample's KL is weighted by r_c of its class and the weight
// kd_weight·(1 − r_c) moves to a second label term, `ce_adaptive`.

import KDNN
import KDTensor

/// Response-based distillation from the teacher's tempered soft targets.
public final class KD: DistillationMethod {
    /// `T`, `ce_weight`, `kd_weight`, `logit_standardization`, `cache_teacher`: also eskd's.
    public static let softTargetParams: [ParamSpec] = [
        ParamSpec("T", .number(.positive), default: 4, doc: "softmax temperature of both networks").standardized(2),
        ParamSpec("ce_weight", .number(.nonNegative), default: 0.1, doc: "weight of cross-entropy with the labels"),
        ParamSpec("kd_weight", .number(.nonNegative), default: 0.9, doc: "weight of the T²-scaled KL term").standardized(9),
        LogitStandardization.param,
        TeacherCaching.logitsParam,
    ]

    /// The soft-target parameters and `class_adaptive` (ClassAdaptive).
    public static let params: [ParamSpec] = softTargetParams + ClassAdaptive.params

    public static let entry = MethodEntry(
        name: "kd", citation: "Hinton et al. 2015", summary: "soft targets of the teacher at temperature T, T²-scaled",
        params: params, combine: .base, shape: .single { p, setup in try KD(p, setup) })

    let weights: SoftTargetWeights
    /// The per-class reliabilities (nil: plain kd).
    let adaptive: ClassAdaptive?

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        _ = try setup.soleTeacher(for: "kd")
        weights = try SoftTargetWeights(p, setup)
        adaptive = try ClassAdaptive(p, setup)
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .logits }

    /// `[ce, kd]`; with class_adaptive `[ce, kd, ce_adaptive]`, whose sum is
    /// (1/B) Σ_b [(ce_weight + kd_weight·(1 − r_c))·CE_b + kd_weight·r_c·T²·KL_b], c = y_b.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let perSample = adaptive?.sampleWeights(step.labels)
        let kd = SoftTargets.kd(
            student: step.student.logits, teacher: step.teacher.logits, temperature: weights.temperature,
            standardize: weights.standardize, sampleWeights: perSample?.kd)
        let terms = [step.crossEntropyTerm(weight: weights.ce), LossTerm("kd", kd * weights.kd)]
        guard let moved = perSample?.moved else { return terms }
        return terms + [LossTerm("ce_adaptive", step.crossEntropy(step.student.logits, sampleWeights: moved) * weights.kd)]
    }
}

/// The `T`, `ce_weight`, `kd_weight` and `logit_standardization` of KD and its relatives (ESKD, ensembles),
/// with their `cache_teacher` check.
public struct SoftTargetWeights: Sendable {
    public let temperature: Float, ce: Float, kd: Float
    public let standardize: Bool

    public init(_ p: ParamValues, _ setup: MethodSetup) throws {
        temperature = Float(try p.double("T"))
        ce = Float(try p.double("ce_weight"))
        kd = Float(try p.double("kd_weight"))
        standardize = LogitStandardization.requested(p)
        try TeacherCaching.check(p, setup)
    }
}
