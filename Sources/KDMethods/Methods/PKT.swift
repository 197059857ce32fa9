// PKT: Passalis & Tefas 2018, "Learning Deep Representations with Probabilistic Knowledge Transfer":
// per network, P = row-normalised (cos + 1)/2 of the batch's embeddings; L = ce_weight·CE +
// pkt_weight · (1/B²) Σ_ij Pt log((Pt + ε)/(Ps + ε)), ε = 1e-7 (the row-wise KL, averaged, over B again).

import KDNN
import KDTensor

/// Relation-based distillation: the student matches the teacher's conditional probabilities of neighbours.
public final class PKT: DistillationMethod {
    public static let params: [ParamSpec] =
        [
            ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
            ParamSpec(
                "pkt_weight", .number(.nonNegative), default: 30000,
                doc: "weight of the term pkt (RepDistiller's; the term has an extra 1/B: at B = 64, about 470 on a batchmean KL)"),
        ] + EmbeddingTaps.params + [TeacherCaching.featuresParam]

    public static let entry = MethodEntry(
        name: "pkt", citation: "Passalis & Tefas 2018",
        summary: "match the batch's conditional probabilities of cosine neighbours of the embeddings (KL)",
        params: params, combine: .addOn, shape: .single { p, setup in try PKT(p, setup) })

    /// Student and teacher tap names.
    public let studentTap: String, teacherTap: String
    let ceWeight: Float, pktWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "pkt")
        try TeacherCaching.check(p, setup)
        ceWeight = Float(try p.double("ce_weight"))
        pktWeight = Float(try p.double("pkt_weight"))
        let taps = try EmbeddingTaps(p, student: setup.student, teacher: teacher)
        (studentTap, teacherTap) = (taps.student, taps.teacher)
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features([teacherTap]) }

    public func losses(_ step: StepContext) -> [LossTerm] {
        var terms = [step.crossEntropyTerm(weight: ceWeight)]
        guard let s = step.student.taps[studentTap], let t = step.teacher.taps[teacherTap] else { return terms }
        terms.append(LossTerm("pkt", Self.loss(student: s, teacher: t) * pktWeight))
        return terms
    }

    /// P `[B, B]` of a batch `[B, ...]` flattened to `[B, D]`: rows L2-normalised (a zero row stays zero),
    /// K = (X̂X̂ᵀ + 1)/2, each row of K divided by its sum.
    public static func conditionalProbabilities(_ x: Tensor) -> Tensor {
        let q = x.flattened(from: 1).l2Normalized(axis: 1, eps: 1e-7)  // [B, D]
        let k = (matmul(q, q, transposeB: true) + 1) * 0.5  // [B, B], entries in [0, 1]
        return k / k.sum(axes: [1], keepDim: true)
    }

    /// (1/B²) Σ_ij Pt log((Pt + ε)/(Ps + ε)) for embeddings `[B, ...]` (dimensions may differ; B must
    /// match). The teacher side is frozen.
    public static func loss(student: Tensor, teacher: Tensor, eps: Float = 1e-7) -> Tensor {
        precondition(student.shape[0] == teacher.shape[0], "PKT.loss: batch \(student.shape[0]) vs \(teacher.shape[0])")
        let b = Float(student.shape[0])
        let pt = noGrad { conditionalProbabilities(teacher) }
        let logTarget = noGrad { (pt + eps).log() }
        let logRatio = logTarget - (conditionalProbabilities(student) + eps).log()
        return (pt * logRatio).sum() * (1 / (b * b))
    }
}
