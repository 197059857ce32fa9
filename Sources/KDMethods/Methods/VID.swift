// VID: Ahn, Hu, Damianou, Lawrence & Dai 2019, "Variational Information Distillation for Knowledge
// Transfer": each teacher map is predicted from the student's by a Gaussian with a learned mean μ and
// per-channel variance σ²; L = ce_weight·CE + vid_weight·Σ_pairs mean ½((μ − t)²/σ² + log σ²).

import KDNN
import KDTensor

/// Feature-based distillation by maximising a variational bound on the mutual information.
public final class VID: DistillationMethod {
    public static let params: [ParamSpec] = [
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
        ParamSpec(
            "vid_weight", .number(.nonNegative), default: 1,
            doc: "weight of the summed negative log-likelihoods (RepDistiller, mdistiller)"),
        ParamSpec(
            "student_taps", .list(.string()), default: .absent,
            doc: "student taps; absent: its stage outputs (layer1..3; block1..3 for WRNs, conv1, conv2 for lenet5)"),
        ParamSpec(
            "teacher_taps", .list(.string()), default: .absent,
            doc: "teacher taps, paired in order with student_taps; absent: its stage outputs"),
        TeacherCaching.featuresParam,
    ]

    public static let entry = MethodEntry(
        name: "vid", citation: "Ahn et al. 2019",
        summary: "predict each teacher map from the student's with a Gaussian (learned mean and per-channel variance)",
        params: params, combine: .addOn, shape: .single { p, setup in try VID(p, setup) })

    /// Paired tap names, in order.
    public let studentTaps: [String], teacherTaps: [String]
    /// One regressor per pair (trained with the student, θ with its weight decay as in RepDistiller).
    public let regressors: [VIDRegressor]
    let ceWeight: Float, vidWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "vid")
        try TeacherCaching.check(p, setup)
        ceWeight = Float(try p.double("ce_weight"))
        vidWeight = Float(try p.double("vid_weight"))
        (studentTaps, teacherTaps) = try FeatureTaps.paired(
            p, student: setup.student, teacher: teacher, method: "vid", defaults: .stageOutputs)
        let s = FeatureTaps(setup.student, role: "student"), t = FeatureTaps(teacher, role: "teacher")
        regressors = zip(studentTaps, teacherTaps).enumerated().map { i, pair in
            VIDRegressor(
                studentChannels: s.shapes[pair.0]?[0] ?? 1, teacherChannels: t.shapes[pair.1]?[0] ?? 1,
                seed: setup.seed ^ (0x51D_0000 + UInt64(i)))
        }
    }

    public var extraLayers: [Layer] { [VIDRegressors(regressors)] }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features(Set(teacherTaps)) }

    /// `[ce, vid]`.
    public func losses(_ step: StepContext) -> [LossTerm] {
        var total: Tensor?
        for (j, r) in regressors.enumerated() {
            let term = Self.loss(
                student: stepTap(step.student, studentTaps[j], method: "vid"),
                teacher: stepTap(step.teacher, teacherTaps[j], method: "vid"), regressor: r)
            total = total.map { $0 + term } ?? term
        }
        return [step.crossEntropyTerm(weight: ceWeight), LossTerm("vid", (total ?? Tensor(0)) * vidWeight)]
    }

    /// One pair's term, the mean over `B·C_t·H·W` of ½((μ − t)²/σ²_c + log σ²_c) (no constant; it can be
    /// negative). The larger map is average-pooled to the smaller first (RepDistiller pools the student's
    /// map before the regressor). The teacher map is frozen.
    public static func loss(student fs: Tensor, teacher ft: Tensor, regressor r: VIDRegressor) -> Tensor {
        let (s, t) = FeatureMaps.matchSpatial(fs, ft.detached())
        let mu = r.mean(s)  // [B, C_t, H, W]
        let variance = r.variance()  // [C_t]
        let c = variance.shape[0]
        let d = mu - t
        let nll = (d * d / variance.reshaped([1, c, 1, 1])).mean() + variance.log().mean()
        return nll * 0.5
    }
}

/// The regressors of all pairs as one layer, named `regressors.{i}.*`.
final class VIDRegressors: Layer {
    let all: [VIDRegressor]

    init(_ all: [VIDRegressor]) { self.all = all }

    func namedTensors(prefix: String) -> [NamedTensor] {
        all.enumerated().flatMap { i, r in r.namedTensors(prefix: prefix + "regressors.\(i).") }
    }
}
