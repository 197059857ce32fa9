// TAKD: Mirzadeh, Farajtabar, Li, Levine, Matsukawa & Ghasemzadeh 2020, "Improved Knowledge Distillation
// via Teacher Assistant". Teacher → assistant → student, each step plain `kd`:
// L = ce_weight·CE(y, z_s) + kd_weight·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)), KL batchmean.

import KDNN

/// Distils the teacher into an intermediate-size assistant, then the assistant into the student
/// (Mirzadeh et al. 2020). Both runs are saved and evaluated.
public final class TAKD: PipelineMethod {
    /// The `takd` parameters.
    public static let params: [ParamSpec] = [
        ParamSpec(
            "assistant", .model, default: .required, doc: "the teacher assistant's architecture (between teacher and student)"),
        ParamSpec("T", .number(.positive), default: 4, doc: "softmax temperature of both KD steps").standardized(2),
        ParamSpec("ce_weight", .number(.nonNegative), default: 0.1, doc: "weight of cross-entropy with the labels in both steps"),
        ParamSpec("kd_weight", .number(.nonNegative), default: 0.9, doc: "weight of the T²-scaled KL term in both steps")
            .standardized(9),
        LogitStandardization.param,
        TeacherCaching.logitsParam,
    ]

    /// The registry entry.
    public static let entry = MethodEntry(
        name: "takd", citation: "Mirzadeh et al. 2020",
        summary: "kd from the teacher into an assistant, then from the assistant into the student",
        params: params, teacher: .required, shape: .pipeline { p in try TAKD(p) })

    /// The assistant's architecture.
    public let assistant: ModelConfig
    /// The `kd` parameters of both runs (T, ce_weight, kd_weight, cache_teacher).
    public let kdParams: ParamValues

    init(_ p: ParamValues) throws {
        assistant = try p.model("assistant")
        let t = try p.double("T"), ce = try p.double("ce_weight"), kd = try p.double("kd_weight")
        guard t > 0, t.isFinite else { throw MethodError("method.T: expected a number > 0, found \(t)") }
        for (key, w) in [("ce_weight", ce), ("kd_weight", kd)] where !(w >= 0 && w.isFinite) {
            throw MethodError("method.\(key): expected a number >= 0, found \(w)")
        }
        kdParams = ParamValues(defaults: KD.params, path: "method")
            .setting("T", .number(t)).setting("ce_weight", .number(ce))
            .setting("kd_weight", .number(kd)).setting("cache_teacher", .bool(TeacherCaching.requested(p)))
            .setting(LogitStandardization.flag, .bool(LogitStandardization.requested(p)))
    }

    /// `assistant` (from the configured teacher), then `student` (from the assistant's last checkpoint, or
    /// its best on the validation split when one is held out).
    public func plan(student: ModelConfig, hasTeacher: Bool) throws -> [PipelineRun] {
        guard hasTeacher else { throw MethodError("teacher.checkpoint: missing; takd distils the teacher into the assistant") }
        return [
            PipelineRun(name: "assistant", model: assistant, teacher: .configured, kdParams: kdParams),
            PipelineRun(name: "student", model: student, teacher: .run("assistant"), kdParams: kdParams),
        ]
    }

    /// No ensemble evaluation.
    public var ensembleRuns: [String] { [] }
}
