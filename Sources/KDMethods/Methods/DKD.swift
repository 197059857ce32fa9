// DKD: Zhao, Cui, Song, Qiu & Liang 2022, "Decoupled Knowledge Distillation": KD split into a
// target-class part (binary KL of (p[y], 1 − p[y])) and a non-target part (KL of the softmax over the
// other classes); L = ce_weight·CE + min((e+1)/warmup_epochs, 1)·T²·(tckd_weight·tckd + nckd_weight·nckd).
// With logit_standardization (Sun et al. 2024): z-scored logits, T 2, tckd 9, nckd 72 by default.

import KDNN
import KDTensor

/// Response-based distillation with the target and non-target parts of KD weighted apart.
public final class DKD: DistillationMethod {
    public static let params: [ParamSpec] = [
        ParamSpec("T", .number(.positive), default: 4, doc: "softmax temperature of both networks").standardized(2),
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
        ParamSpec("tckd_weight", .number(.nonNegative), default: 1, doc: "alpha: weight of the target-class term tckd")
            .standardized(9),
        ParamSpec(
            "nckd_weight", .number(.nonNegative), default: 8,
            doc: "beta: weight of the non-target term nckd (mdistiller: 8 resnet32x4→resnet8x4, 6 wrn-40-2→wrn-16-2, "
                + "2 resnet56→resnet20)"
        ).standardized(72),
        Warmup.param,
        LogitStandardization.param,
        TeacherCaching.logitsParam,
    ]

    public static let entry = MethodEntry(
        name: "dkd", citation: "Zhao et al. 2022",
        summary: "KD decoupled into target-class (tckd) and non-target (nckd) parts, weighted apart, with a warm-up",
        params: params, shape: .single { p, setup in try DKD(p, setup) })

    let temperature: Float, ceWeight: Float, tckdWeight: Float, nckdWeight: Float, warmupEpochs: Int
    let standardize: Bool

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        _ = try setup.soleTeacher(for: "dkd")
        try setup.requireEveryLabel(for: "dkd", reason: "the target class splits its two terms")
        try TeacherCaching.check(p, setup)
        temperature = Float(try p.double("T"))
        ceWeight = Float(try p.double("ce_weight"))
        tckdWeight = Float(try p.double("tckd_weight"))
        nckdWeight = Float(try p.double("nckd_weight"))
        warmupEpochs = try p.int("warmup_epochs")
        standardize = LogitStandardization.requested(p)
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .logits }

    public func losses(_ step: StepContext) -> [LossTerm] {
        let (tckd, nckd) = Self.terms(
            student: step.student.logits, teacher: step.teacher.logits, labels: step.labels, temperature: temperature,
            standardize: standardize)
        let scale = Warmup.factor(epoch: step.epoch, warmupEpochs: warmupEpochs) * temperature * temperature
        return [
            step.crossEntropyTerm(weight: ceWeight), LossTerm("tckd", tckd * (scale * tckdWeight)),
            LossTerm("nckd", nckd * (scale * nckdWeight)),
        ]
    }

    /// The unweighted (tckd, nckd) of logits `[B, K]` at temperature T, both batchmean; the teacher is frozen.
    /// Computed from log-sum-exps, so a teacher certain of the target (1 − p[y] below float precision) stays finite.
    /// With `standardize`, both logits are z-scored per sample first (LogitStandardization).
    public static func terms(
        student zs: Tensor, teacher zt: Tensor, labels: [Int32], temperature t: Float, standardize: Bool = false
    ) -> (Tensor, Tensor) {
        let (b, k) = (zs.shape[0], zs.shape[1])
        var oneHot = [Float](repeating: 0, count: b * k)
        for (i, y) in labels.enumerated() { oneHot[i * k + Int(y)] = 1 }
        let mask = Tensor(shape: [b, k], scalars: oneHot)
        let xs = LogitStandardization.apply(zs, standardize) * (1 / t)
        let xt = noGrad { LogitStandardization.apply(zt, standardize) * (1 / t) }
        let tckd = klDivergence(
            targetLogProbs: noGrad { binaryLogProbs(xt, mask: mask) }, logProbs: binaryLogProbs(xs, mask: mask))
        let nckd = klDivergence(
            targetLogProbs: noGrad { nonTargetLogProbs(xt, mask: mask) }, logProbs: nonTargetLogProbs(xs, mask: mask))
        return (tckd, nckd)
    }

    /// `[B, 2]`: log p[y] and log(1 − p[y]) of softmax(x), as x_y − LSE(x) and LSE_{k≠y}(x) − LSE(x).
    static func binaryLogProbs(_ x: Tensor, mask: Tensor) -> Tensor {
        let all = logSumExp(x)  // [B, 1]
        let others = logSumExp(x - mask * maskOffset)  // [B, 1]: the target's exp underflows to 0
        let target = (x * mask).sum(axes: [1], keepDim: true)  // [B, 1]
        return concat([target - all, others - all], axis: 1)
    }

    /// `[B, K]`: log of the softmax over the non-target classes (the target's entry about −10⁴, weight 0).
    static func nonTargetLogProbs(_ x: Tensor, mask: Tensor) -> Tensor { (x - mask * maskOffset).logSoftmax(axis: 1) }

    /// Row-wise log Σ exp(x) `[B, 1]` of x `[B, K]`, shifted by the (constant) row maximum.
    static func logSumExp(_ x: Tensor) -> Tensor {
        let m = noGrad { x.max(axes: [1], keepDim: true) }
        return m + (x - m).exp().sum(axes: [1], keepDim: true).log()
    }

    /// What masking subtracts from a target logit (finite, unlike −∞, so 0·log 0 never meets a NaN).
    static let maskOffset: Float = 1e4
}
