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
    /// the teacher's against the student's (`contrastiveNCE`, one pass over the rows). Sets the
    /// normalisers on the first call.
    public func loss(student vs: Tensor, teacher vt: Tensor, contrast: [Int32], width: Int) -> Tensor {
        let pairs = [(vs, teacher), (vt, student)]
        for (k, (v, bank)) in pairs.enumerated() where normalizers.data[k] == 0 {
            normalizers.data[k] = firstNormalizer(v, bank: bank, contrast: contrast, width: width)
        }
        let (z, tau) = (normalizers.data, temperature)
        return contrastiveNCE(vs, bank: teacher, indices: contrast, perRow: width, temperature: tau, normalizer: z[0])
            + contrastiveNCE(vt, bank: student, indices: contrast, perRow: width, temperature: tau, normalizer: z[1])
    }

    /// Z = mean(exp(s/τ))·N over the first step's raw scores (then frozen, as the reference implementations do).
    func firstNormalizer(_ v: Tensor, bank: Tensor, contrast: [Int32], width: Int) -> Float {
        let dots = noGrad { gatherDot(v, bank: bank, indices: contrast, perRow: width) }
        var total = 0.0
        for i in 0..<dots.count { total += Foundation.exp(Double(dots.data[i] / temperature)) }
        return Float(total / Double(dots.count) * Double(bank.shape[0]))
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
