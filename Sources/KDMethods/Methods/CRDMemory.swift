// CRDMemory: crd's memory banks (one 128-d row per training sample and network), the NCE normalisers Z
// fixed at the first step, the contrastive NCE loss against the banks and the momentum update after a step.

import Foundation
import KDNN
import KDTensor

/// The state Tian et al. 2020's contrast memory keeps across steps: `student`, `teacher` `[N, D]` and
/// `normalizers` `[2]` (Z_s, Z_t; 0 until the first step sets them). All three are resume state.
public final class CRDMemory {
    /// Rows of the student's (M_s) and the teacher's (M_t) embeddings, by training index, `[N, D]`.
    public let student: Tensor, teacher: Tensor
    /// `[Z_s, Z_t]`: 0 until the first step, then frozen (the mean raw score × N of that step).
    public let normalizers: Tensor
    /// Temperature τ of the scores and the banks' momentum.
    public let temperature: Float, momentum: Float

    /// Banks for `count` samples of dimension `dim`, rows uniform in ±1/√(dim/3) (norm about 1), from `seed`.
    public convenience init(count: Int, dim: Int, temperature: Float, momentum: Float, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let bound = 1 / (Float(dim) / 3).squareRoot()
        self.init(
            student: .randomUniform([count, dim], -bound, bound, rng: &rng),
            teacher: .randomUniform([count, dim], -bound, bound, rng: &rng), temperature: temperature, momentum: momentum)
    }

    /// Banks `student`, `teacher` `[N, D]` as given, normalisers unset.
    public init(student: Tensor, teacher: Tensor, temperature: Float, momentum: Float) {
        precondition(student.shape == teacher.shape && student.rank == 2, "CRDMemory: banks \(student.shape), \(teacher.shape)")
        (self.student, self.teacher, normalizers) = (student, teacher, .zeros([2]))
        (self.temperature, self.momentum) = (temperature, momentum)
    }

    /// The resume state: `crd.memory_student`, `crd.memory_teacher`, `crd.normalizers`.
    var state: [NamedTensor] {
        [
            NamedTensor("crd.memory_student", student, .buffer), NamedTensor("crd.memory_teacher", teacher, .buffer),
            NamedTensor("crd.normalizers", normalizers, .buffer),
        ]
    }

    /// nce(P_s) + nce(P_t) for the unit embeddings `vs`, `vt` `[B, D]` and the contrast sets `contrast`
    /// `[B·(K+1)]` (column 0 the positive): the student's anchors score against the teacher's bank and
    /// the teacher's against the student's. Sets the normalisers on the first call.
    public func loss(student vs: Tensor, teacher vt: Tensor, contrast: [Int32], width: Int) -> Tensor {
        let n = student.shape[0]
        let ps = Self.scores(
            gatherDot(vs, bank: teacher, indices: contrast, perRow: width), normalizer: &normalizers.data[0], temperature, n)
        let pt = Self.scores(
            gatherDot(vt, bank: student, indices: contrast, perRow: width), normalizer: &normalizers.data[1], temperature, n)
        return Self.nce(ps, count: n) + Self.nce(pt, count: n)
    }

    /// P = exp(s/τ)/Z for raw dot products `s` `[B, K+1]`; Z (when still 0) becomes mean(exp(s/τ))·N.
    static func scores(_ dots: Tensor, normalizer z: inout Float, _ temperature: Float, _ count: Int) -> Tensor {
        let e = (dots * (1 / temperature)).exp()
        if z == 0 {
            var total = 0.0
            for i in 0..<e.count { total += Double(e.data[i]) }
            z = Float(total / Double(e.count) * Double(count))
        }
        return e * (1 / z)
    }

    /// The NCE loss of probabilities `p` `[B, K+1]` with noise 1/N and K = columns − 1, ε = 1e-7:
    /// −(1/B)[Σ_b log(P₀/(P₀ + K/N + ε)) + Σ_b Σ_{j≥1} log((K/N)/(P_j + K/N + ε))].
    public static func nce(_ p: Tensor, count: Int, eps: Float = 1e-7) -> Tensor {
        let (b, width) = (p.shape[0], p.shape[1])
        let noise = Float(width - 1) / Float(count)
        let positive = p.slice(axis: 1, 0..<1), negative = p.slice(axis: 1, 1..<width)
        let logPositive = positive.log() - (positive + (noise + eps)).log()
        let logNegative = (negative + (noise + eps)).log()
        let constant = Float(b * (width - 1)) * Float(Foundation.log(Double(noise)))
        return (logPositive.sum() - logNegative.sum() + constant) * (-1 / Float(b))
    }

    /// After the step: `M[n] ← normalise(m·M[n] + (1 − m)·v)` for both banks at the batch's indices.
    public func update(indices: [Int], student vs: Tensor, teacher vt: Tensor) {
        let d = student.shape[1]
        for (bank, v) in [(student, vs), (teacher, vt)] {
            for (r, i) in indices.enumerated() {
                let row = bank.data + i * d, src = v.data + r * d
                var norm: Float = 0
                for c in 0..<d {
                    row[c] = momentum * row[c] + (1 - momentum) * src[c]
                    norm += row[c] * row[c]
                }
                let inverse = 1 / Swift.max(norm.squareRoot(), 1e-12)
                for c in 0..<d { row[c] *= inverse }
            }
        }
    }
}
