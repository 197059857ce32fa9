// AttentionTransfer: Zagoruyko & Komodakis 2017, "Paying More Attention to Attention: Improving the
// Performance of CNNs via Attention Transfer". Map a(f) = normalize(mean_c f^p) `[B, H·W]`.
// code (default, the authors' code): L = ce_weight·CE + beta·Σ_pairs mean_{B·HW} (a_s − a_t)².
// paper (Eq. 2): channel sum, L = ce_weight·CE + (beta/2)·Σ_pairs mean_B ‖a_s − a_t‖₂ (unsquared).

import KDNN
import KDTensor

/// Activation-based attention transfer at pairs of spatial taps.
public final class AttentionTransfer: DistillationMethod {
    /// How the per-pair term is formed.
    public enum Mode: String, Sendable {
        /// Mean over B·HW of the squared map difference, weight beta (authors' code, RepDistiller).
        case code
        /// Channel sum, per-sample unsquared L2 norm of the difference averaged over the batch, weight beta/2.
        case paper
    }

    /// Declared parameters (`kdistill methods` prints them); the KD weights come from `at+kd`.
    public static let params: [ParamSpec] = [
        ParamSpec(
            "beta", .number(.nonNegative), default: 1000, doc: "weight of the summed attention terms (halved in mode paper)"),
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
        ParamSpec("p", .number(.positive), default: 2, doc: "exponent of the attention map, mean over channels of |f|^p"),
        ParamSpec(
            "mode", .string(choices: ["code", "paper"]), default: "code",
            doc: "code: mean squared map difference; paper: unsquared per-sample L2 norm, beta/2"),
        ParamSpec(
            "student_taps", .list(.string()), default: .absent,
            doc: "student taps; absent: its stage outputs (layer1..3; block1..3 for WRNs, conv1, conv2 for lenet5)"),
        ParamSpec(
            "teacher_taps", .list(.string()), default: .absent,
            doc: "teacher taps, paired in order with student_taps; absent: its stage outputs"),
        TeacherCaching.featuresParam,
    ]

    /// The registry entry (combinable: `at+kd`).
    public static let entry = MethodEntry(
        name: "at", citation: "Zagoruyko & Komodakis 2017",
        summary: "match normalised spatial attention maps of the stage outputs",
        params: params, combine: .addOn, shape: .single { p, setup in try AttentionTransfer(p, setup) })

    /// Paired tap names, in order.
    public let studentTaps: [String], teacherTaps: [String]
    let beta: Float, ceWeight: Float, p: Float
    let mode: Mode

    init(_ params: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "at")
        try TeacherCaching.check(params, setup)
        beta = Float(try params.double("beta"))
        ceWeight = Float(try params.double("ce_weight"))
        p = Float(try params.double("p"))
        let modeName = try params.string("mode")
        guard let mode = Mode(rawValue: modeName) else {
            throw MethodError("\(params.keyPath("mode")): expected one of code, paper, found \"\(modeName)\"")
        }
        self.mode = mode
        (studentTaps, teacherTaps) = try FeatureTaps.paired(
            params, student: setup.student, teacher: teacher, method: "at", defaults: .stageOutputs)
    }

    /// Always the teacher's features.
    public func teacherUse(in stage: Stage) -> TeacherUse { .features(Set(teacherTaps)) }

    /// `[ce, at]`.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let fs = studentTaps.map { stepTap(step.student, $0, method: "at") }
        let ft = teacherTaps.map { stepTap(step.teacher, $0, method: "at") }
        return [
            step.crossEntropyTerm(weight: ceWeight),
            LossTerm("at", Self.loss(student: fs, teacher: ft, beta: beta, p: p, mode: mode)),
        ]
    }

    /// The weighted attention term over pairs `student[j]` ↔ `teacher[j]`, each `[B, C_j, H_j, W_j]`
    /// (channels may differ; the larger map is adaptive-average-pooled to the smaller). Teacher maps
    /// are computed without gradient.
    public static func loss(student: [Tensor], teacher: [Tensor], beta: Float, p: Float = 2, mode: Mode = .code) -> Tensor {
        precondition(
            student.count == teacher.count && !student.isEmpty,
            "AttentionTransfer.loss: \(student.count) vs \(teacher.count) maps")
        let channelSum = mode == .paper
        var total: Tensor?
        for (fs, ft) in zip(student, teacher) {
            let (s, t) = FeatureMaps.matchSpatial(fs, ft)
            let aS = FeatureMaps.attention(s, p: p, channelSum: channelSum)  // [B, HW]
            let aT = noGrad { FeatureMaps.attention(t.detached(), p: p, channelSum: channelSum) }
            let term: Tensor
            switch mode {
            case .code: term = mseLoss(aS, aT)
            case .paper:
                let d = aS - aT
                term = (d * d).sum(axes: [1]).clamp(min: 1e-24).sqrt().mean()  // mean_B ‖a_s − a_t‖₂
            }
            total = total.map { $0 + term } ?? term
        }
        return (total ?? Tensor(0)) * (mode == .paper ? beta / 2 : beta)
    }
}
