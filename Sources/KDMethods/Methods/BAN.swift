// BAN: Furlanello, Lipton, Tschannen, Itti & Anandkumar 2018, "Born Again Neural Networks". Generation g
// (same architecture, fresh init, same schedule) learns from generation g−1:
// L_g = label_weight·CE(y, z_g) + T²·KL(softmax(z_{g−1}/T) ‖ softmax(z_g/T)), run as `kd` with kd_weight 1.

import KDNN

/// Born-again self-distillation over `generations` runs, each saved and evaluated (Furlanello et al. 2018).
///
/// The paper's loss is the cross-entropy to the previous generation's softmax; the KL used here differs
/// from it only by the teacher's entropy, a constant, so the gradient is the same.
public final class BAN: PipelineMethod {
    /// The `ban` parameters.
    public static let params: [ParamSpec] = [
        ParamSpec("generations", .integer(.positive), default: 3, doc: "born-again generations after the teacher"),
        ParamSpec(
            "label_weight", .number(.nonNegative), default: 0,
            doc: "weight of cross-entropy with the labels (0: BAN, > 0: BAN+L)"),
        ParamSpec("T", .number(.positive), default: 1, doc: "softmax temperature of the previous generation's targets"),
        ParamSpec("ensemble_eval", .boolean, default: true, doc: "also evaluate the averaged predictions of all generations"),
        LogitStandardization.param,
        TeacherCaching.logitsParam,
    ]

    /// The registry entry.
    public static let entry = MethodEntry(
        name: "ban", citation: "Furlanello et al. 2018",
        summary: "born-again generations of the student's architecture, each taught by the previous one",
        params: params, teacher: .optional, shape: .pipeline { p in try BAN(p) })

    let generations: Int, labelWeight: Double, temperature: Double, ensembleEval: Bool, cacheTeacher: Bool
    let standardize: Bool

    init(_ p: ParamValues) throws {
        generations = try p.int("generations")
        labelWeight = try p.double("label_weight")
        temperature = try p.double("T")
        ensembleEval = try p.bool("ensemble_eval")
        cacheTeacher = TeacherCaching.requested(p)
        standardize = LogitStandardization.requested(p)
        guard generations >= 1 else { throw MethodError("method.generations: expected an integer >= 1, found \(generations)") }
        guard labelWeight >= 0, labelWeight.isFinite else {
            throw MethodError("method.label_weight: expected a number >= 0, found \(labelWeight)")
        }
        guard temperature > 0, temperature.isFinite else {
            throw MethodError("method.T: expected a number > 0, found \(temperature)")
        }
    }

    /// The `kd` parameters of every generation: T, ce_weight = label_weight, kd_weight = 1, and ban's
    /// `cache_teacher` and `logit_standardization`.
    public var kdParams: ParamValues {
        ParamValues(defaults: KD.params, path: "method")
            .setting("T", .number(temperature)).setting("ce_weight", .number(labelWeight))
            .setting("kd_weight", .number(1)).setting("cache_teacher", .bool(cacheTeacher))
            .setting(LogitStandardization.flag, .bool(standardize))
    }

    /// `gen1..genN`, same architecture as `student`. gen1 learns from the configured teacher; without one a
    /// run `gen0` first trains `student` on the labels alone and teaches gen1.
    public func plan(student: ModelConfig, hasTeacher: Bool) throws -> [PipelineRun] {
        var runs: [PipelineRun] = []
        if !hasTeacher {
            runs.append(PipelineRun(name: "gen0", model: student, teacher: .none, kdParams: ParamValues(path: "method")))
        }
        for g in 1...generations {
            let teacher: PipelineTeacher = g == 1 ? (hasTeacher ? .configured : .run("gen0")) : .run("gen\(g - 1)")
            runs.append(PipelineRun(name: "gen\(g)", model: student, teacher: teacher, kdParams: kdParams))
        }
        return runs
    }

    /// `gen1..genN` when `ensemble_eval` and there are at least 2 generations (the teacher and gen0 are
    /// left out); empty otherwise.
    public var ensembleRuns: [String] {
        ensembleEval && generations >= 2 ? (1...generations).map { "gen\($0)" } : []
    }
}
