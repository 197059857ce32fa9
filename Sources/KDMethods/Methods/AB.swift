// AB: Heo, Lee, Yun & Choi 2019, "Knowledge Transfer via Distillation of Activation Boundaries Formed by
// Hidden Neurons": an initialisation stage pushes the student's pre-ReLU responses past a margin μ on the
// teacher's side of zero, ab_i = (3/1000)·(1/B)·Σ [(s+μ)²·1(s > −μ, t ≤ 0) + (s−μ)²·1(s ≤ μ, t > 0)],
// weighted ¼, ½, 1 from shallow to deep; then the normal schedule on ce_weight·CE (ab+kd adds KD).

import KDNN
import KDTensor

/// Feature-based initialisation that transfers which neurons fire, then training on the labels.
public final class AB: DistillationMethod {
    public static let params: [ParamSpec] =
        [
            ParamSpec(
                "ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels (main stage)"),
            ParamSpec(
                "ab_epochs", .integer(.positive), default: 30,
                doc: "epochs of the initialisation stage, on top of epochs (SGD, momentum 0.9, constant main lr, fc frozen)"),
            ParamSpec("margin", .number(.nonNegative), default: 1, doc: "μ: how far past zero a response must be"),
        ] + FeatureTaps.pairedParams(.preactivations) + [
            TeacherCaching.featuresParam
        ]

    public static let entry = MethodEntry(
        name: "ab", citation: "Heo et al. 2019 (AB)",
        summary: "an initialisation stage transfers the teacher's activation boundaries (pre-ReLU signs), then CE",
        params: params, combine: .addOn, shape: .single { p, setup in try AB(p, setup) })

    /// The element loss's scale (RepDistiller's 3/1000, kept so logs compare).
    public static let scale: Float = 3.0 / 1000

    /// Paired tap names, in order.
    public let studentTaps: [String], teacherTaps: [String]
    /// Per pair: nil when the maps match (identity), else a conv + BN connector.
    public let connectors: [HintRegressor?]
    public let stages: [Stage]
    let ceWeight: Float, margin: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "ab")
        try TeacherCaching.check(p, setup)
        ceWeight = Float(try p.double("ce_weight"))
        margin = Float(try p.double("margin"))
        (studentTaps, teacherTaps) = try FeatureTaps.paired(
            p, student: setup.student, teacher: teacher, method: "ab", defaults: .preactivations)
        let s = FeatureTaps(setup.student, role: "student"), t = FeatureTaps(teacher, role: "teacher")
        connectors = try zip(studentTaps, teacherTaps).enumerated().map { i, pair in
            let (ss, ts) = (s.shapes[pair.0] ?? [], t.shapes[pair.1] ?? [])
            if ss == ts { return nil }
            guard let c = HintRegressor(student: ss, teacher: ts, relu: false, seed: setup.seed ^ (0xAB_0000 + UInt64(i))) else {
                throw MethodError(
                    "\(p.keyPath("student_taps")): student tap '\(pair.0)' \(ss) is smaller than teacher tap '\(pair.1)' \(ts); ab needs it at least as large"
                )
            }
            return c
        }
        stages = [
            Stage("ab", epochs: try p.int("ab_epochs"), initialization: true, frozen: ["fc."]),
            Stage("train", epochs: setup.epochs),
        ]
    }

    public var extraLayers: [Layer] { connectors.compactMap { $0 } }

    public func teacherUse(in stage: Stage) -> TeacherUse { stage.name == "ab" ? .features(Set(teacherTaps)) : .none }

    /// Stage ab: `[ab]`; then `[ce]`.
    public func losses(_ step: StepContext) -> [LossTerm] {
        guard step.stage.name == "ab" else { return [step.crossEntropyTerm(weight: ceWeight)] }
        let n = studentTaps.count
        var total: Tensor?
        for j in 0..<n {
            var s = stepTap(step.student, studentTaps[j], method: "ab")
            if let c = connectors[j] { s = c(s, ForwardContext(training: true)) }
            let term =
                Self.loss(student: s, teacher: stepTap(step.teacher, teacherTaps[j], method: "ab"), margin: margin)
                * (1 / Float(1 << (n - 1 - j)))
            total = total.map { $0 + term } ?? term
        }
        return [LossTerm("ab", total ?? Tensor(0))]
    }

    /// One pair of equal-shape pre-ReLU maps `[B, ...]`: (3/1000)·(1/B)·Σ [(s+μ)²·1(s > −μ ∧ t ≤ 0) +
    /// (s−μ)²·1(s ≤ μ ∧ t > 0)]; the indicators carry no gradient, the teacher is frozen.
    public static func loss(student s: Tensor, teacher t: Tensor, margin mu: Float) -> Tensor {
        precondition(s.shape == t.shape, "AB.loss: \(s.shape) vs \(t.shape)")
        let below = Tensor(uninitialized: s.shape), above = Tensor(uninitialized: s.shape)
        let (sp, tp, bp, ap) = (s.data, t.data, below.data, above.data)
        for i in 0..<s.count {
            let off = tp[i] <= 0
            bp[i] = off && sp[i] > -mu ? 1 : 0  // should be off: push below −μ
            ap[i] = !off && sp[i] <= mu ? 1 : 0  // should be on: push above μ
        }
        let down = s + mu, up = s - mu
        return ((down * down * below).sum() + (up * up * above).sum()) * (scale / Float(s.shape[0]))
    }
}
