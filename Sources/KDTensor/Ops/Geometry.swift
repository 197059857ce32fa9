// Geometry: L2 normalisation along an axis, pairwise Euclidean distances and cosine similarity,
// the building blocks of attention transfer, RKD and similarity-preserving distillation.

import Foundation

extension Tensor {
    /// x / Swift.max(‖x‖₂, eps) along `axis` (PyTorch `F.normalize`).
    public func l2Normalized(axis: Int = -1, eps: Float = 1e-12) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let ax = axis < 0 ? axis + rank : axis
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        let norms = Tensor(uninitialized: [outer * inner])
        let x = data, y = out.data, nrm = norms.data
        forEachRow(axis: ax) { start, s, r in
            var ss: Float = 0
            if s == 1 {
                ss = Vector.dot(x + start, x + start, r)
            } else {
                for j in 0..<r { ss += x[start + j * s] * x[start + j * s] }
            }
            let norm = Swift.max(ss.squareRoot(), eps)
            nrm[(start / (r * s)) * s + start % s] = ss.squareRoot()
            let inv = 1 / norm
            for j in 0..<r { y[start + j * s] = x[start + j * s] * inv }
        }
        _ = (outer, inner)
        let saved = out.detached()
        return out.recorded(.l2Normalize, [self]) { g in
            // Above eps: dx = (g − y·⟨g, y⟩) / ‖x‖; at the floor the map is x/eps, so dx = g/eps.
            let dx = Tensor(uninitialized: saved.shape)
            let gp = g.data, yp = saved.data, d = dx.data
            saved.forEachRow(axis: ax) { start, s, r in
                let norm = nrm[(start / (r * s)) * s + start % s]
                if norm > eps {
                    var dot: Float = 0
                    for j in 0..<r { dot += gp[start + j * s] * yp[start + j * s] }
                    for j in 0..<r { d[start + j * s] = (gp[start + j * s] - yp[start + j * s] * dot) / norm }
                } else {
                    for j in 0..<r { d[start + j * s] = gp[start + j * s] / eps }
                }
            }
            _ = norms
            return [dx]
        }
    }
}

/// Euclidean distances between the rows of `x` `[N, D]` → `[N, N]`; squared distances are clamped at
/// `eps` before the square root and the diagonal is zero (Park et al. 2019's RKD form).
public func pairwiseDistances(_ x: Tensor, eps: Float = 1e-12) -> Tensor {
    precondition(x.rank == 2, "pairwiseDistances needs [N, D], got \(x.shape)")
    let (n, dim) = (x.shape[0], x.shape[1])
    let gram = Tensor(uninitialized: [n, n])
    Gemm.sgemm(transB: true, m: n, n: n, k: dim, a: x.data, lda: dim, b: x.data, ldb: dim, c: gram.data, ldc: n)
    let out = Tensor(uninitialized: [n, n])
    let gp = gram.data, o = out.data
    for i in 0..<n {
        for j in 0..<n {
            o[i * n + j] = i == j ? 0 : Swift.max(gp[i * n + i] + gp[j * n + j] - 2 * gp[i * n + j], eps).squareRoot()
        }
    }
    let (sx, sd) = (x.detached(), out.detached())
    return out.recorded(.pairwiseDistances, [x]) { g in
        // d_ij = ‖x_i − x_j‖ ⇒ dx_i = Σ_j w_ij (x_i − x_j), w_ij = (g_ij + g_ji)/d_ij where unclamped.
        let w = Tensor(uninitialized: [n, n])
        let wp = w.data, gg = g.data, dp = sd.data
        for i in 0..<n {
            for j in 0..<n {
                let sq = gp[i * n + i] + gp[j * n + j] - 2 * gp[i * n + j]
                wp[i * n + j] = (i != j && sq > eps) ? (gg[i * n + j] + gg[j * n + i]) / dp[i * n + j] : 0
            }
        }
        let dx = Tensor(uninitialized: [n, dim])
        Gemm.sgemm(m: n, n: dim, k: n, alpha: -1, a: wp, lda: n, b: sx.data, ldb: dim, c: dx.data, ldc: dim)
        for i in 0..<n {
            let rowSum = Vector.sum(wp + i * n, n)
            Vector.axpy(rowSum, sx.data + i * dim, dx.data + i * dim, dim)
        }
        _ = gram
        return [dx]
    }
}

/// Cosine similarity along `axis`: ⟨a, b⟩ / (Swift.max(‖a‖, eps)·Swift.max(‖b‖, eps)); the axis is removed.
public func cosineSimilarity(_ a: Tensor, _ b: Tensor, axis: Int = -1, eps: Float = 1e-8) -> Tensor {
    (a.l2Normalized(axis: axis, eps: eps) * b.l2Normalized(axis: axis, eps: eps)).sum(axes: [axis])
}
