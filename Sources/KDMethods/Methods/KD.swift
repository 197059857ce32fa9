// KD: Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network":
// L = ce_weight·CE(y, z_s) + kd_weight·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)), KL batchmean; with
// logit_standardization (Sun et al. 2024) the logits are z-scored first and T 2, kd_weight 9 by default.

import KDNN
import KDTensor

/// Response-based distillation from the teacher's tempered soft targets.
public final class KD: DistillationMethod {
    public static let params: [ParamSpec] = [
        ParamSpec("T", .number(.positive), default: 4, doc: "softmax temperature of both networks").standardized(2),
        ParamSpec("ce_weight", .number(.nonNegative), default: 0.1, doc: "weight of cross-entropy with the labels"),
        ParamSpec("kd_weight", .number(.nonNegative), default: 0.9, doc: "weight of the T²-scaled KL term").standardized(9),
        LogitStandardization.param,
        TeacherCaching.logitsParam,
    ]

    public static let entry = MethodEntry(
        name: "kd", citation: "Hinton et al. 2015", summary: "soft targets of the teacher at temperature T, T²-scaled",
        params: params, combine: .base, shape: .single { p, setup in try KD(p, setup) })

    let weights: SoftTargetWeights

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        _ = try setup.soleTeacher(for: "kd")
        weights = try SoftTargetWeights(p, setup)
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .logits }

    public func losses(_ step: StepContext) -> [LossTerm] {
        let kd = SoftTargets.kd(
            student: step.student.logits, teacher: step.teacher.logits, temperature: weights.temperature,
            standardize: weights.standardize)
        return [step.crossEntropyTerm(weight: weights.ce), LossTerm("kd", kd * weights.kd)]
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
