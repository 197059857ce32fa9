// ESKD: Cho & Hariharan 2019, "On the Efficacy of Knowledge Distillation": KD from an early-stopped
// teacher checkpoint, and KD stopped early: L = ce_weight·CE + kd_weight·T²·KL for the first
// kd_stop_epoch epochs, then L = 1·CE (the KD term's weight becomes 0).

import KDNN
import KDTensor

/// Hinton KD that stops distilling at an epoch and trains on the labels alone from then on.
public final class ESKD: DistillationMethod {
    public static let params: [ParamSpec] =
        KD.softTargetParams + [
            ParamSpec(
                "kd_stop_epoch", .integer(.nonNegative), default: .absent,
                doc: "train the first N epochs with KD, then labels only (CE weight 1); 0: no KD; absent: never stop. "
                    + "The early-stopped teacher is teacher.checkpoint, e.g. runs/t/epoch-003.safetensors (keep_every)")
        ]

    public static let entry = MethodEntry(
        name: "eskd", citation: "Cho & Hariharan 2019",
        summary: "kd from an early-stopped teacher checkpoint, with the KD term dropped after kd_stop_epoch epochs",
        params: params, shape: .single { p, setup in try ESKD(p, setup) })

    /// First 0-based epoch trained without KD (nil: KD throughout).
    public let kdStopEpoch: Int?
    let weights: SoftTargetWeights

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        _ = try setup.soleTeacher(for: "eskd")
        weights = try SoftTargetWeights(p, setup)
        kdStopEpoch = try p.optionalInt("kd_stop_epoch")
        if let stop = kdStopEpoch, stop < 0 {
            throw MethodError("\(p.keyPath("kd_stop_epoch")): expected an integer >= 0, found \(stop)")
        }
    }

    /// Whether the KD term is on at the 0-based `epoch`.
    public func distills(atEpoch epoch: Int) -> Bool { kdStopEpoch.map { epoch < $0 } ?? true }

    /// `.logits` unless KD is off from the first epoch (runners that cannot ask per epoch keep supplying logits).
    public func teacherUse(in stage: Stage) -> TeacherUse { kdStopEpoch == 0 ? .none : .logits }

    /// `.logits` while distilling, `.none` from `kd_stop_epoch` on (no teacher forwards).
    public func teacherUse(in stage: Stage, epoch: Int) -> TeacherUse { distills(atEpoch: epoch) ? .logits : .none }

    /// Before the stop: `ce` and `kd` as in KD. From the stop on: `ce` with weight 1 and `kd` = 0 (so the
    /// logged columns stay the same); the teacher's outputs are not read then.
    public func losses(_ step: StepContext) -> [LossTerm] {
        guard distills(atEpoch: step.epoch) else {
            return [step.crossEntropyTerm(weight: 1), LossTerm("kd", Tensor(0))]
        }
        let kd = SoftTargets.kd(
            student: step.student.logits, teacher: step.teacher.logits, temperature: weights.temperature,
            standardize: weights.standardize)
        return [step.crossEntropyTerm(weight: weights.ce), LossTerm("kd", kd * weights.kd)]
    }
}
