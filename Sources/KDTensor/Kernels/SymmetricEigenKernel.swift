// SymmetricEigenKernel: the eigendecomposition of one small symmetric matrix by cyclic Jacobi rotations
// in double precision (Golub & Van Loan §8.5), on raw buffers with no allocation inside the sweeps.

import Foundation

/// Cyclic Jacobi for a symmetric `n × n` matrix.
enum SymmetricEigenKernel {
    /// Diagonalises `a` (row-major `n × n`, overwritten) and writes the eigenvectors as the columns of `v`
    /// (`n × n`) and the eigenvalues to `values`, unsorted (`values[j]` belongs to column j). Sweeps until
    /// the off-diagonal mass is below 1e-28 of the matrix's (squared Frobenius norms), at most 60 sweeps.
    static func decompose(
        _ a: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>, _ values: UnsafeMutablePointer<Double>,
        _ n: Int
    ) {
        v.update(repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        var total = 0.0
        for i in 0..<(n * n) { total += a[i] * a[i] }
        for _ in 0..<60 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] } }
            if !(off > 1e-28 * total) { break }  // also stops on NaN
            for p in 0..<(n - 1) { for q in (p + 1)..<n { rotate(a, v, n, p, q) } }
        }
        for i in 0..<n { values[i] = a[i * n + i] }
    }

    /// One rotation A ← JᵀAJ, V ← VJ in the plane (p, q) that zeroes a[p, q] (Numerical Recipes' choice of
    /// the smaller angle).
    @inline(__always)
    static func rotate(_ a: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>, _ n: Int, _ p: Int, _ q: Int) {
        let apq = a[p * n + q]
        if apq == 0 { return }
        let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
        let t = (theta >= 0 ? 1.0 : -1.0) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        for r in 0..<n {  // columns p and q
            let (x, y) = (a[r * n + p], a[r * n + q])
            a[r * n + p] = c * x - s * y
            a[r * n + q] = s * x + c * y
        }
        for r in 0..<n {  // rows p and q
            let (x, y) = (a[p * n + r], a[q * n + r])
            a[p * n + r] = c * x - s * y
            a[q * n + r] = s * x + c * y
        }
        a[p * n + q] = 0
        a[q * n + p] = 0
        for r in 0..<n {
            let (x, y) = (v[r * n + p], v[r * n + q])
            v[r * n + p] = c * x - s * y
            v[r * n + q] = s * x + c * y
        }
    }

    /// Reorders the eigenpairs by descending eigenvalue (into `sortedV`, `sortedValues`) and flips each
    /// eigenvector so that its entry of largest magnitude (the first such) is positive. Non-finite entries
    /// become 0.
    static func sortAndFixSigns(
        _ v: UnsafePointer<Double>, _ values: UnsafePointer<Double>, _ n: Int,
        into sortedV: UnsafeMutablePointer<Double>, _ sortedValues: UnsafeMutablePointer<Double>,
        order: UnsafeMutablePointer<Int>
    ) {
        for i in 0..<n { order[i] = i }
        // Insertion sort: n is small and the pairs come out of Jacobi nearly in any order.
        for i in 1..<Swift.max(n, 1) {
            let key = order[i]
            var j = i - 1
            while j >= 0 && greater(values[key], values[order[j]]) {
                order[j + 1] = order[j]
                j -= 1
            }
            order[j + 1] = key
        }
        for j in 0..<n {
            let src = order[j]
            var best = 0.0, sign = 1.0
            for r in 0..<n where Swift.abs(v[r * n + src]) > best {
                best = Swift.abs(v[r * n + src])
                sign = v[r * n + src] < 0 ? -1 : 1
            }
            for r in 0..<n {
                let x = sign * v[r * n + src]
                sortedV[r * n + j] = x.isFinite ? x : 0
            }
            sortedValues[j] = values[src].isFinite ? values[src] : 0
        }
    }

    /// `x > y`, with NaN ordered last.
    @inline(__always)
    static func greater(_ x: Double, _ y: Double) -> Bool { y.isNaN ? !x.isNaN : x > y }
}
