// SymmetricEigen: the leading eigenvectors of a batch of symmetric matrices (Gram matrices XᵀX, whose
// eigenvectors are X's right-singular vectors and eigenvalues its squared singular values), with the
// eigenvector derivative of perturbation theory as the backward rule (kdsvd, Lee et al. 2018).

import Foundation

/// Eigenvalue gaps below this fraction of the largest |eigenvalue| are clamped to it in the backward.
public let symmetricEigenGapFloor = 1e-8

/// The `k` leading eigenpairs of each symmetric `g` `[B, C, C]` (only the symmetric part of `g` is read:
/// the matrices must be symmetric). `vectors` `[B, C, k]` holds unit eigenvectors as columns, by
/// descending eigenvalue, each signed so that its entry of largest magnitude (the first such) is positive;
/// `values` `[B, k]` the eigenvalues, detached (no gradient flows through them). Non-finite results are 0.
/// Computed in double by Householder tridiagonalisation and implicit QL. Backward (all C eigenpairs are kept for it): for
/// dL/dV = g, dG = V (F ∘ (Vᵀ g)) V_kᵀ, symmetrised, with F[l, j] = 1/(λ_j − λ_l) for l ≠ j and 0 on the
/// diagonal; a gap smaller than `symmetricEigenGapFloor`·max|λ| is clamped to that size (keeping its
/// sign), an exact tie and any non-finite F give 0.
public func symmetricEigen(_ g: Tensor, top k: Int) -> (vectors: Tensor, values: Tensor) {
    precondition(g.rank == 3 && g.shape[1] == g.shape[2] && g.shape[1] > 0, "symmetricEigen: expected [B, C, C], got \(g.shape)")
    let (b, n) = (g.shape[0], g.shape[1])
    precondition(k >= 1 && k <= n, "symmetricEigen: top \(k) of \(n) eigenpairs")
    let saved = EigenBuffers(batch: b, n: n)
    let vectors = Tensor(uninitialized: [b, n, k]), values = Tensor(uninitialized: [b, k])
    let (gp, vp, lp) = (g.data, vectors.data, values.data)
    Parallel.chunks(b, minPerThread: 1) { range in
        let a = UnsafeMutablePointer<Double>.allocate(capacity: 2 * n * n + 2 * n)
        let order = UnsafeMutablePointer<Int>.allocate(capacity: n)
        defer { a.deallocate(); order.deallocate() }
        let (rawV, rawValues) = (a + n * n, a + 2 * n * n)
        for i in range {
            let src = gp + i * n * n
            for r in 0..<n { for c in 0..<n { a[r * n + c] = 0.5 * (Double(src[r * n + c]) + Double(src[c * n + r])) } }
            SymmetricEigenKernel.decompose(a, rawV, rawValues, n, work: rawValues + n)
            let (fullV, fullValues) = (saved.vectors + i * n * n, saved.values + i * n)
            SymmetricEigenKernel.sortAndFixSigns(rawV, rawValues, n, into: fullV, fullValues, order: order)
            for r in 0..<n { for j in 0..<k { vp[(i * n + r) * k + j] = Float(fullV[r * n + j]) } }
            for j in 0..<k { lp[i * k + j] = Float(fullValues[j]) }
        }
    }
    let out = vectors.recorded(.symmetricEigen, [g]) { grad in [symmetricEigenBackward(grad, saved, k: k)] }
    return (out, values)
}

/// dL/dG `[B, C, C]` from dL/dV `[B, C, k]` (see `symmetricEigen`).
func symmetricEigenBackward(_ grad: Tensor, _ saved: EigenBuffers, k: Int) -> Tensor {
    let (b, n) = (saved.batch, saved.n)
    let dg = Tensor(uninitialized: [b, n, n])
    let (gp, dp) = (grad.data, dg.data)
    Parallel.chunks(b, minPerThread: 1) { range in
        let h = UnsafeMutablePointer<Double>.allocate(capacity: 2 * n * k + n * n)
        defer { h.deallocate() }
        let (av, full) = (h + n * k, h + 2 * n * k)
        for i in range {
            let (v, lam, gi) = (saved.vectors + i * n * n, saved.values + i * n, gp + i * n * k)
            var scale = 0.0
            for l in 0..<n { scale = Swift.max(scale, Swift.abs(lam[l])) }
            let floor = symmetricEigenGapFloor * scale
            // H = F ∘ (Vᵀ g), [C, k].
            for l in 0..<n {
                for j in 0..<k {
                    var m = 0.0
                    for r in 0..<n { m += v[r * n + l] * Double(gi[r * k + j]) }
                    var gap = lam[j] - lam[l]
                    if Swift.abs(gap) < floor { gap = gap < 0 ? -floor : floor }
                    let f = (l == j || gap == 0) ? 0 : 1 / gap
                    let x = m * f
                    h[l * k + j] = x.isFinite ? x : 0
                }
            }
            // A = V H, [C, k]; dG = A V_kᵀ, [C, C].
            for r in 0..<n {
                for j in 0..<k {
                    var s = 0.0
                    for l in 0..<n { s += v[r * n + l] * h[l * k + j] }
                    av[r * k + j] = s
                }
            }
            for r in 0..<n {
                for c in 0..<n {
                    var s = 0.0
                    for j in 0..<k { s += av[r * k + j] * v[c * n + j] }
                    full[r * n + c] = s
                }
            }
            let out = dp + i * n * n
            for r in 0..<n { for c in 0..<n { out[r * n + c] = Float(0.5 * (full[r * n + c] + full[c * n + r])) } }
        }
    }
    return dg
}

/// Every eigenpair of each matrix of a `symmetricEigen` call, sorted, kept in double for the backward.
final class EigenBuffers: @unchecked Sendable {
    let batch: Int, n: Int
    /// `[B, C, C]`: column j of each matrix is the j-th eigenvector.
    let vectors: UnsafeMutablePointer<Double>
    /// `[B, C]`, descending.
    let values: UnsafeMutablePointer<Double>

    init(batch: Int, n: Int) {
        (self.batch, self.n) = (batch, n)
        vectors = .allocate(capacity: batch * n * n)
        values = .allocate(capacity: batch * n)
    }

    deinit {
        vectors.deallocate()
        values.deallocate()
    }
}
