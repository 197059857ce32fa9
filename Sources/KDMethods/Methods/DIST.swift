// DIST: Huang, You, Wang, Qian & Xu 2022, "Knowledge Distillation from A Stronger Teacher": KL replaced by
// Pearson correlations of p = softmax(z/T), across classes per sample (inter) and across the batch per class
// (intra); L = ce_weight·CE + T²·(inter_weight·(1 − mean_b ρ) + intra_weight·(1 − mean_k ρ)).

import KDNN
import KDTensor

/// Response-based distillation that matches the relations between the networks' probabilities.
public final class DIST: DistillationMethod {
    public static let params: [ParamSpec] = [
        ParamSpec("T", .number(.positive), default: 4, doc: "softmax temperature of both networks (authors' CIFAR: 4)"),
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
        ParamSpec("inter_weight", .number(.nonNegative), default: 2, doc: "beta: weight of the inter-class term dist_inter"),
        ParamSpec("intra_weight", .number(.nonNegative), default: 2, doc: "gamma: weight of the intra-class term dist_intra"),
        TeacherCaching.logitsParam,
    ]

    public static let entry = MethodEntry(
        name: "dist", citation: "Huang et al. 2022",
        summary: "Pearson correlation of the probabilities across classes (inter) and across the batch (intra)",
        params: params, shape: .single { p, setup in try DIST(p, setup) })

    let temperature: Float, ceWeight: Float, interWeight: Float, intraWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        _ = try setup.soleTeacher(for: "dist")
        try TeacherCaching.check(p, setup)
        temperature = Float(try p.double("T"))
        ceWeight = Float(try p.double("ce_weight"))
        interWeight = Float(try p.double("inter_weight"))
        intraWeight = Float(try p.double("intra_weight"))
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .logits }

    /// `[ce, dist_inter, dist_intra]`, each term already T²- and weight-scaled.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let (inter, intra) = Self.terms(student: step.student.logits, teacher: step.teacher.logits, temperature: temperature)
        let t2 = temperature * temperature
        return [
            step.crossEntropyTerm(weight: ceWeight), LossTerm("dist_inter", inter * (t2 * interWeight)),
            LossTerm("dist_intra", intra * (t2 * intraWeight)),
        ]
    }

    /// The unweighted (inter, intra) of logits `[B, K]` at temperature T: 1 − the mean Pearson correlation
    /// of the rows (inter), and of the columns (intra). The teacher is frozen; intra needs B ≥ 2.
    public static func terms(student zs: Tensor, teacher zt: Tensor, temperature t: Float) -> (Tensor, Tensor) {
        precondition(zs.shape == zt.shape && zs.rank == 2, "DIST.terms: logits \(zs.shape) vs \(zt.shape)")
        let ps = (zs * (1 / t)).softmax(axis: 1)  // [B, K]
        let pt = noGrad { (zt * (1 / t)).softmax(axis: 1) }
        let inter = 1 - pearson(ps, pt, axis: 1).mean()
        let intra = 1 - pearson(ps, pt, axis: 0).mean()
        return (inter, intra)
    }

    /// ρ(u, v) = ⟨u − ū, v − v̄⟩ / (‖u − ū‖·‖v − v̄‖ + 1e-8) of the vectors along `axis` of two `[B, K]`
    /// tensors: `[K]` for axis 0, `[B]` for axis 1. The ε is added (not a clamp), as in the authors' code; a
    /// constant vector has norm 0 and gradient 0 through it (PyTorch's subgradient of the norm at 0).
    public static func pearson(_ a: Tensor, _ b: Tensor, axis: Int) -> Tensor {
        let ac = a - a.mean(axes: [axis], keepDim: true), bc = b - b.mean(axes: [axis], keepDim: true)
        let dot = (ac * bc).sum(axes: [axis])
        let norms = (norm(ac, axis: axis) * norm(bc, axis: axis)) + 1e-8
        return dot / norms
    }

    /// ‖x‖₂ along `axis`; below 1e-30 squared the gradient is 0 instead of infinite.
    static func norm(_ x: Tensor, axis: Int) -> Tensor { (x * x).sum(axes: [axis]).clamp(min: 1e-30).sqrt() }
}
