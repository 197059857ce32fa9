// CRD: Tian et al. 2020, "Contrastive Representation Distillation": both embeddings through trainable
// linear heads to unit 128-d vectors, each contrasted with the other network's memory bank of the whole
// training set (the sample's own row against K = 16384 rows of other classes) by NCE; banks move by momentum.

import KDNN
import KDTensor

/// Contrastive distillation against memory banks (RepDistiller's `crd`, its defaults).
public final class CRD: DistillationMethod {
    public static let params: [ParamSpec] =
        [
            ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
            ParamSpec("crd_weight", .number(.nonNegative), default: 0.8, doc: "weight of the term crd (RepDistiller -b 0.8)"),
            ParamSpec("embed_dim", .integer(.positive), default: 128, doc: "output size of both heads and the banks' rows"),
            ParamSpec(
                "negatives", .integer(.positive), default: 16384,
                doc: "K, negatives per anchor, drawn from other classes (with replacement only if fewer exist)"),
            ParamSpec("nce_t", .number(.positive), default: 0.07, doc: "temperature τ of the scores"),
            ParamSpec(
                "momentum", .number(.fraction), default: 0.5,
                doc: "memory update M ← normalise(m·M + (1 − m)·v) after each step"),
            ParamSpec(
                "contrast_mode", .string(choices: ContrastSampler.Positive.allCases.map(\.rawValue)), default: "exact",
                doc: "positive: exact (the sample's own memory row) or relax (a random row of its class)"),
        ] + EmbeddingTaps.params + [TeacherCaching.featuresParam]

    public static let entry = MethodEntry(
        name: "crd", citation: "Tian et al. 2020",
        summary: "contrast each embedding with memory banks of the training set (NCE over K negatives of other classes)",
        params: params, combine: .addOn, shape: .single { p, setup in try CRD(p, setup) })

    /// Student and teacher tap names.
    public let studentTap: String, teacherTap: String
    /// The trainable heads (in the student's optimizer, saved with the run's state).
    public let heads: EmbeddingHeads
    /// The memory banks and normalisers (resume state) and the contrast-set sampler.
    public let memory: CRDMemory
    public let sampler: ContrastSampler
    let ceWeight: Float, crdWeight: Float
    /// The last step's unit embeddings and indices, written into the banks by `afterStep`.
    private var pending: (indices: [Int], student: Tensor, teacher: Tensor)?

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "crd")
        try TeacherCaching.check(p, setup)
        guard !setup.trainingLabels.isEmpty else { throw MethodError("method.name: crd needs the training set's labels") }
        try setup.requireEveryLabel(for: "crd", reason: "its negatives are drawn from the other classes")
        (ceWeight, crdWeight) = (Float(try p.double("ce_weight")), Float(try p.double("crd_weight")))
        let taps = try EmbeddingTaps(p, student: setup.student, teacher: teacher)
        (studentTap, teacherTap) = (taps.student, taps.teacher)
        let dim = try p.int("embed_dim")
        heads = EmbeddingHeads(taps, student: setup.student, teacher: teacher, dim: dim, seed: setup.seed ^ 0xC2D_5EED)
        let mode = try p.string("contrast_mode")
        guard let positive = ContrastSampler.Positive(rawValue: mode) else {
            throw MethodError("\(p.keyPath("contrast_mode")): expected one of exact, relax, found \"\(mode)\"")
        }
        sampler = ContrastSampler(
            labels: setup.trainingLabels, negatives: try p.int("negatives"), positive: positive, seed: setup.seed ^ 0xC2D_5A)
        memory = CRDMemory(
            count: setup.trainingLabels.count, dim: dim, temperature: Float(try p.double("nce_t")),
            momentum: Float(try p.double("momentum")), seed: setup.seed ^ 0xC2D_3E3)
    }

    public var extraLayers: [Layer] { [heads] }
    public var persistentState: [NamedTensor] { memory.state }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features([teacherTap]) }

    /// `[ce, crd]`.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let s = stepTap(step.student, studentTap, method: "crd"), t = stepTap(step.teacher, teacherTap, method: "crd")
        let (vs, vt) = embed(student: s, teacher: t)
        let contrast = sampler.draw(anchors: step.indices, epoch: step.epoch, batch: step.batchIndex)
        let term = memory.loss(student: vs, teacher: vt, contrast: contrast, width: sampler.width)
        pending = (step.indices, vs.detached().copy(), vt.detached().copy())
        return [step.crossEntropyTerm(weight: ceWeight), LossTerm("crd", term * crdWeight)]
    }

    /// Unit embeddings `[B, D]` of the taps through the heads (norms floored at 1e-12); the teacher's input
    /// carries no gradient, its head does.
    public func embed(student s: Tensor, teacher t: Tensor) -> (Tensor, Tensor) {
        (
            heads.student(s.flattened(from: 1)).l2Normalized(axis: 1),
            heads.teacher(t.detached().flattened(from: 1)).l2Normalized(axis: 1)
        )
    }

    /// Writes the step's embeddings into both banks (the gradients have been applied; nothing reads them now).
    public func afterStep() {
        guard let p = pending else { return }
        memory.update(indices: p.indices, student: p.student, teacher: p.teacher)
        pending = nil
    }
}
