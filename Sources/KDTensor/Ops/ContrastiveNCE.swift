// ContrastiveNCE: CRD's NCE loss against a memory bank in one pass over the gathered rows (Tian et al.
// 2020): each row is read once, for its score and its share of the gradient, never materialised as [B, K, D].

import CBLAS
import Foundation

/// The NCE loss of anchors `v` `[B, D]` against rows of a constant `bank` `[N, D]`: with `indices`
/// `[B·W]` (per anchor the positive, then W − 1 noise rows), s = ⟨bank[i], v[b]⟩, P = exp(s/τ)/Z and
/// noise c = (W − 1)/N,
/// `−(1/B)[Σ_b log(P_b0/(P_b0 + c + ε)) + Σ_b Σ_{j≥1} log(c/(P_bj + c + ε))]`, a scalar. Each term depends
/// on its own score only (Z is a constant), so the gradient with respect to `v` is accumulated while each
/// row is in cache: ∂/∂s is −(c + ε)/(Bτ(P + c + ε)) for a positive and P/(Bτ(P + c + ε)) for a noise row.
/// The bank gets no gradient.
public func contrastiveNCE(
    _ v: Tensor, bank: Tensor, indices: [Int32], perRow width: Int, temperature tau: Float, normalizer z: Float,
    eps: Float = 1e-7
) -> Tensor {
    precondition(v.rank == 2 && bank.rank == 2 && v.shape[1] == bank.shape[1], "contrastiveNCE: v \(v.shape), bank \(bank.shape)")
    let (b, d, n) = (v.shape[0], v.shape[1], bank.shape[0])
    precondition(width >= 2 && indices.count == b * width, "contrastiveNCE: \(indices.count) indices for \(b) rows of \(width)")
    precondition(indices.allSatisfy { $0 >= 0 && Int($0) < n }, "contrastiveNCE: an index outside the bank's \(n) rows")
    // A NaN normaliser (a first step that already diverged) passes through to a NaN loss, which the
    // runner's divergence check reports; only a normaliser or temperature that is truly ≤ 0 is a bug.
    precondition(!(z <= 0) && tau > 0, "contrastiveNCE: normalizer \(z), temperature \(tau)")
    let noise = Float(width - 1) / Float(n), shift = noise + eps, logNoise = Foundation.log(Double(noise))
    let logZ = Foundation.log(z), invTau = 1 / tau, scale = 1 / (Float(b) * tau)
    let dv = Tensor.zeros([b, d])
    let (ahead, rowBytes) = (8, d * MemoryLayout<Float>.stride)
    var rowLoss = [Double](repeating: 0, count: b)
    let (vp, mp, dp) = (v.data, bank.data, dv.data)
    indices.withUnsafeBufferPointer { idx in
        rowLoss.withUnsafeMutableBufferPointer { losses in
            let (ip, lp) = (idx.baseAddress!, losses.baseAddress!)
            Parallel.chunks(b, minPerThread: 1) { rows in
                for r in rows {
                    let anchor = vp + r * d, grad = dp + r * d
                    var total = 0.0
                    for j in 0..<width {
                        if j + ahead < width { kd_prefetch_row(mp + Int(ip[r * width + j + ahead]) * d, rowBytes) }
                        let row = mp + Int(ip[r * width + j]) * d
                        let s = Vector.dot(row, anchor, d) * invTau
                        let p = Foundation.exp(s) / z, denominator = p + shift
                        let g: Float
                        if j == 0 {
                            total += Double(s - logZ) - Double(Foundation.log(denominator))
                            g = -shift / denominator
                        } else {
                            total += logNoise - Double(Foundation.log(denominator))
                            g = p / denominator
                        }
                        Vector.axpy(g * scale, row, grad, d)
                    }
                    lp[r] = total
                }
            }
        }
    }
    return Tensor(Float(-rowLoss.reduce(0, +) / Double(b))).recorded(.contrastiveNCE, [v]) { g in
        let factor = g.item
        return [dv.unaryMap { factor * $0 }]
    }
}
