// RKD: Park, Kim, Lu & Cho 2019, "Relational Knowledge Distillation":
// L = ce_weight·CE + distance_weight·Huber(ψ_D(s), ψ_D(t)) + angle_weight·Huber(ψ_A(s), ψ_A(t)), with
// ψ_D = pairwise distances / their off-diagonal mean and ψ_A[i, j, k] = ⟨e_ij, e_ik⟩, e_ij = (x_j − x_i)/‖·‖.

import KDNN
import KDTensor

/// Relation-based distillation: the student matches the teacher's distance and angle structure of a batch.
public final class RKD: DistillationMethod {
    public static let params: [ParamSpec] =
        [
            ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
            ParamSpec("distance_weight", .number(.nonNegative), default: 25, doc: "weight of the distance term rkd_d"),
            ParamSpec("angle_weight", .number(.nonNegative), default: 50, doc: "weight of the angle term rkd_a"),
        ] + EmbeddingTaps.params + [TeacherCaching.featuresParam]

    public static let entry = MethodEntry(
        name: "rkd", citation: "Park et al. 2019",
        summary: "match the batch's normalised pairwise distances and triplet angles of the embeddings (Huber)",
        params: params, combine: .addOn, shape: .single { p, setup in try RKD(p, setup) })

    /// Student and teacher tap names.
    public let studentTap: String, teacherTap: String
    let ceWeight: Float, distanceWeight: Float, angleWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "rkd")
        try TeacherCaching.check(p, setup)
        ceWeight = Float(try p.double("ce_weight"))
        distanceWeight = Float(try p.double("distance_weight"))
        angleWeight = Float(try p.double("angle_weight"))
        let taps = try EmbeddingTaps(p, student: setup.student, teacher: teacher)
        (studentTap, teacherTap) = (taps.student, taps.teacher)
    }

    /// The embedding RKD reads by default: `pool`, else the tap just before `logits` (the penultimate layer).
    public static func defaultTap(_ model: Model) -> String { EmbeddingTaps.defaultTap(model) }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features([teacherTap]) }

    public func losses(_ step: StepContext) -> [LossTerm] {
        var terms = [step.crossEntropyTerm(weight: ceWeight)]
        guard let s = step.student.taps[studentTap], let t = step.teacher.taps[teacherTap] else { return terms }
        terms.append(LossTerm("rkd_d", Self.distanceLoss(student: s, teacher: t) * distanceWeight))
        terms.append(LossTerm("rkd_a", Self.angleLoss(student: s, teacher: t) * angleWeight))
        return terms
    }

    /// ψ_D of a batch `[B, ...]` (flattened to `[B, D]`): Euclidean distances `[B, B]` (zero diagonal)
    /// divided by the mean of the B·(B−1) off-diagonal entries. A batch of one gives `[[0]]`.
    public static func normalizedDistances(_ x: Tensor) -> Tensor {
        let b = x.shape[0]
        let d = pairwiseDistances(x.flattened(from: 1), eps: 1e-12)  // [B, B], squared clamped at 1e-12
        guard b > 1 else { return d }
        let mean = d.sum() * (1 / Float(b * (b - 1)))  // the diagonal is zero
        return d / mean
    }

    /// ψ_A of a batch `[B, ...]` (flattened to `[B, D]`): `[B, B, B]` with entry `[i, j, k]` = ⟨e_ij, e_ik⟩,
    /// e_ij = normalize(x_j − x_i) (ε = 1e-12, so e_ii = 0).
    public static func angles(_ x: Tensor) -> Tensor {
        let q = x.flattened(from: 1)
        let (b, dim) = (q.shape[0], q.shape[1])
        let diff = q.reshaped([1, b, dim]) - q.reshaped([b, 1, dim])  // [B, B, D]: [i, j] = x_j − x_i
        let e = diff.l2Normalized(axis: 2, eps: 1e-12)
        return matmul(e, e, transposeB: true)  // [B, B, B]
    }

    /// Distance term: Huber (δ = 1) between ψ_D of student and teacher, mean over the B² entries.
    /// Student `[B, ...]` and teacher `[B, ...]` may differ in every dimension but B; the teacher is frozen.
    public static func distanceLoss(student: Tensor, teacher: Tensor) -> Tensor {
        let target = noGrad { normalizedDistances(teacher) }
        return smoothL1Loss(normalizedDistances(student), target, delta: 1)
    }

    /// Angle term: Huber (δ = 1) between ψ_A of student and teacher, mean over the B³ entries.
    public static func angleLoss(student: Tensor, teacher: Tensor) -> Tensor {
        let target = noGrad { angles(teacher) }
        return smoothL1Loss(angles(student), target, delta: 1)
    }
}
