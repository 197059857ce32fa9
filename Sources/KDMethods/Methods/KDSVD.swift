// KDSVD: Lee, Kim & Song 2018, "Self-supervised Knowledge Distillation Using Singular Value Decomposition":
// each map's leading right-singular vectors over channels, related between consecutive taps by a Gaussian
// kernel; L = ce_weight·CE + kdsvd_weight·Σ_pairs (1/B) Σ (R_s − R_t)² (RepDistiller's KDSVD).

import KDNN
import KDTensor

/// Feature-based distillation of how the maps' leading singular vectors relate from one stage to the next.
public final class KDSVD: DistillationMethod {
    public static let params: [ParamSpec] =
        [
            ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
            ParamSpec("kdsvd_weight", .number(.nonNegative), default: 1, doc: "weight of the summed kernel terms (mdistiller)"),
            ParamSpec(
                "k", .integer(.positive), default: 1,
                doc: "teacher singular vectors kept per map; the student keeps k + 3 and aligns them (RepDistiller)"),
        ]
        + FeatureTaps.pairedParams(
            .stageOutputs, studentNote: "at least two, in network order", teacherNote: "each as wide as its student tap") + [
            TeacherCaching.featuresParam
        ]

    public static let entry = MethodEntry(
        name: "kdsvd", citation: "Lee et al. 2018",
        summary: "relate the maps' leading singular vectors between consecutive taps (Gaussian kernel) and match",
        params: params, combine: .addOn, shape: .single { p, setup in try KDSVD(p, setup) })

    /// Paired tap names, in network order.
    public let studentTaps: [String], teacherTaps: [String]
    /// Teacher singular vectors kept per map.
    public let k: Int
    let ceWeight: Float, kdsvdWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "kdsvd")
        try TeacherCaching.check(p, setup)
        ceWeight = Float(try p.double("ce_weight"))
        kdsvdWeight = Float(try p.double("kdsvd_weight"))
        k = try p.int("k")
        (studentTaps, teacherTaps) = try FeatureTaps.paired(
            p, student: setup.student, teacher: teacher, method: "kdsvd", defaults: .stageOutputs)
        let s = FeatureTaps(setup.student, role: "student"), t = FeatureTaps(teacher, role: "teacher")
        if studentTaps.count < 2 {
            throw MethodError(
                "\(p.keyPath("student_taps")): kdsvd relates consecutive taps and needs at least two, found \(studentTaps.count)")
        }
        for (st, tt) in zip(studentTaps, teacherTaps) {
            let (cs, ct) = (s.shapes[st]?[0] ?? 0, t.shapes[tt]?[0] ?? 0)
            if cs != ct {
                throw MethodError(
                    "\(p.keyPath("teacher_taps")): kdsvd needs equal widths at each tap, \(s.label) '\(st)' has \(cs) channels "
                        + "and \(t.label) '\(tt)' has \(ct)")
            }
            if k > ct { throw MethodError("\(p.keyPath("k")): expected at most \(ct) (the channels of tap '\(tt)'), found \(k)") }
        }
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features(Set(teacherTaps)) }

    /// `[ce, kdsvd]`.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let fs = studentTaps.map { stepTap(step.student, $0, method: "kdsvd") }
        let ft = teacherTaps.map { stepTap(step.teacher, $0, method: "kdsvd") }
        let term = Self.loss(students: fs, teachers: ft, k: k)
        return [step.crossEntropyTerm(weight: ceWeight), LossTerm("kdsvd", term * kdsvdWeight)]
    }

    /// Σ over consecutive pairs (i−1, i) of (1/B) Σ (R_s − R_t)², R `[B, C_i, C_{i−1}, k]` the Gaussian
    /// kernel exp(−(u_c − w_c')²/8) between the (aligned, σ̂-scaled) singular vectors u of tap i and w of
    /// tap i−1; non-finite entries count 0. Maps `[B, C_i, H_i, W_i]`, student and teacher equally wide at
    /// each tap; the teacher's are frozen.
    public static func loss(students fs: [Tensor], teachers ft: [Tensor], k: Int = 1) -> Tensor {
        precondition(fs.count == ft.count && !fs.isEmpty, "kdsvd: \(fs.count) student and \(ft.count) teacher maps")
        var total: Tensor?
        var previous: (student: Tensor, teacher: Tensor)?
        for (s, t) in zip(fs, ft) {
            let current = vectors(student: s, teacher: t, k: k)
            if let (ws, wt) = previous {
                let rt = noGrad { kernel(current.teacher, wt) }
                var d = (kernel(current.student, ws) - rt).reshaped([rt.count])
                let finite = (0..<d.count).filter { d.data[$0].isFinite }
                if finite.count < d.count { d = d.indexSelect(axis: 0, finite) }
                let term = (d * d).sum() / Float(s.shape[0])
                total = total.map { $0 + term } ?? term
            }
            previous = current
        }
        return total ?? Tensor(0)
    }

    /// One tap's singular vectors `[B, C, k]`: the teacher's first k, and the student's first k + 3 aligned
    /// to them (for each teacher vector, the student vector of largest |cosine| times that cosine's sign),
    /// both multiplied by the teacher's first k singular values normalised to unit norm.
    static func vectors(student fs: Tensor, teacher ft: Tensor, k: Int) -> (student: Tensor, teacher: Tensor) {
        let (vt, sigma) = noGrad { () -> (Tensor, Tensor) in
            let (v, lam) = rightSingularVectors(ft.detached(), count: k)
            return (v, normalisedSingularValues(lam))
        }
        let vs = rightSingularVectors(fs, count: Swift.min(k + 3, fs.shape[1])).vectors
        let scaled = noGrad { vt * sigma }
        return (matmul(vs, alignment(vs, vt)) * sigma, scaled)
    }

    /// The first `count` right-singular vectors of each sample's map read as `X [HW, C]`, `[B, C, count]`, and
    /// the eigenvalues σ² they belong to, `[B, count]`: the eigenpairs of the Gram matrix XᵀX `[B, C, C]`.
    static func rightSingularVectors(_ f: Tensor, count: Int) -> (vectors: Tensor, values: Tensor) {
        let (b, c) = (f.shape[0], f.shape[1])
        let x = f.reshaped([b, c, f.count / (b * c)])  // Xᵀ per sample, [B, C, HW]
        return symmetricEigen(matmul(x, x, transposeB: true), top: count)
    }

    /// σ = √max(λ, 0) over the k kept pairs, scaled to unit norm (F.normalize, ε 1e-12): `[B, 1, k]`.
    static func normalisedSingularValues(_ lam: Tensor) -> Tensor {
        let (b, k) = (lam.shape[0], lam.shape[1])
        var out = [Float](repeating: 0, count: b * k)
        for i in 0..<b {
            let sigma = (0..<k).map { Swift.max(lam.data[i * k + $0], 0).squareRoot() }
            let norm = Swift.max(sigma.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            for j in 0..<k { out[i * k + j] = sigma[j] / norm }
        }
        return Tensor(shape: [b, 1, k], scalars: out)
    }

    /// The constant `[B, k_s, k_t]` that picks and signs, for each teacher vector, the student vector of
    /// largest |cosine| (the first on ties; sign 0 when the cosine is 0, as torch.sign).
    static func alignment(_ vs: Tensor, _ vt: Tensor) -> Tensor {
        let (b, ks, kt) = (vs.shape[0], vs.shape[2], vt.shape[2])
        let cosine = noGrad { matmul(vs.detached(), vt, transposeA: true) }  // [B, k_s, k_t]
        var mask = [Float](repeating: 0, count: b * ks * kt)
        for i in 0..<b {
            for j in 0..<kt {
                var best = 0
                for s in 1..<ks
                where Swift.abs(cosine.data[(i * ks + s) * kt + j]) > Swift.abs(cosine.data[(i * ks + best) * kt + j]) {
                    best = s
                }
                let c = cosine.data[(i * ks + best) * kt + j]
                mask[(i * ks + best) * kt + j] = c > 0 ? 1 : (c < 0 ? -1 : 0)
            }
        }
        return Tensor(shape: [b, ks, kt], scalars: mask)
    }

    /// exp(−(u_c − w_c')²/8) for u `[B, C, k]` and w `[B, C', k]`: `[B, C, C', k]`.
    static func kernel(_ u: Tensor, _ w: Tensor) -> Tensor {
        let (b, c, c2, k) = (u.shape[0], u.shape[1], w.shape[1], u.shape[2])
        let d = u.reshaped([b, c, 1, k]) - w.reshaped([b, 1, c2, k])
        return (d * d * (-0.125)).exp()
    }
}
