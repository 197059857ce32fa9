// SymmetricEigenKernel: the eigendecomposition of one small symmetric matrix in double precision by
// Householder tridiagonalisation and the implicit QL algorithm (tred2/tql2 as in EISPACK and JAMA), on raw
// buffers with no allocation inside the loops; Reference.symmetricEigen (cyclic Jacobi) is its naive twin.

import Foundation

/// Tridiagonal QL for a symmetric `n × n` matrix.
enum SymmetricEigenKernel {
    /// Diagonalises `a` (row-major `n × n`, overwritten) and writes the eigenvectors as the columns of `v`
    /// (`n × n`) and the eigenvalues to `values`, unsorted (`values[j]` belongs to column j). `work` holds
    /// `n` doubles. A non-finite input gives NaN everywhere (which `sortAndFixSigns` turns into zeros).
    static func decompose(
        _ a: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>, _ values: UnsafeMutablePointer<Double>,
        _ n: Int, work e: UnsafeMutablePointer<Double>
    ) {
        for i in 0..<(n * n) where !a[i].isFinite {
            v.update(repeating: .nan, count: n * n)
            values.update(repeating: .nan, count: n)
            return
        }
        // tql2 rotates pairs of eigenvectors; keeping them as rows of `a` (Vᵀ) makes those loops contiguous.
        tridiagonalize(a, values, e, n)
        let w = v
        for r in 0..<n { for c in 0..<n { w[r * n + c] = a[c * n + r] } }
        diagonalize(w, values, e, n)
        for r in 0..<n { for c in 0..<n { a[r * n + c] = w[c * n + r] } }
        v.update(from: a, count: n * n)
    }

    /// Householder reduction of the symmetric `v` (`n × n`, overwritten with the orthogonal transform) to
    /// tridiagonal form: diagonal `d`, subdiagonal `e` (`e[i]` below `d[i]`, e[0] = 0).
    static func tridiagonalize(
        _ v: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>, _ e: UnsafeMutablePointer<Double>, _ n: Int
    ) {
        for j in 0..<n { d[j] = v[(n - 1) * n + j] }
        for i in stride(from: n - 1, to: 0, by: -1) {
            var scale = 0.0, h = 0.0
            for k in 0..<i { scale += Swift.abs(d[k]) }
            if scale == 0 {
                e[i] = d[i - 1]
                for j in 0..<i {
                    d[j] = v[(i - 1) * n + j]
                    v[i * n + j] = 0
                    v[j * n + i] = 0
                }
            } else {
                for k in 0..<i {
                    d[k] /= scale
                    h += d[k] * d[k]
                }
                var f = d[i - 1]
                var g = h.squareRoot()
                if f > 0 { g = -g }
                e[i] = scale * g
                h -= f * g
                d[i - 1] = f - g
                for j in 0..<i { e[j] = 0 }
                for j in 0..<i {
                    f = d[j]
                    v[j * n + i] = f
                    g = e[j] + v[j * n + j] * f
                    for k in (j + 1)..<i {
                        g += v[k * n + j] * d[k]
                        e[k] += v[k * n + j] * f
                    }
                    e[j] = g
                }
                f = 0
                for j in 0..<i {
                    e[j] /= h
                    f += e[j] * d[j]
                }
                let hh = f / (h + h)
                for j in 0..<i { e[j] -= hh * d[j] }
                for j in 0..<i {
                    f = d[j]
                    g = e[j]
                    for k in j..<i { v[k * n + j] -= f * e[k] + g * d[k] }
                    d[j] = v[(i - 1) * n + j]
                    v[i * n + j] = 0
                }
            }
            d[i] = h
        }
        // Accumulate the transformations.
        for i in 0..<(n - 1) {
            v[(n - 1) * n + i] = v[i * n + i]
            v[i * n + i] = 1
            let h = d[i + 1]
            if h != 0 {
                for k in 0...i { d[k] = v[k * n + i + 1] / h }
                for j in 0...i {
                    var g = 0.0
                    for k in 0...i { g += v[k * n + i + 1] * v[k * n + j] }
                    for k in 0...i { v[k * n + j] -= g * d[k] }
                }
            }
            for k in 0...i { v[k * n + i + 1] = 0 }
        }
        for j in 0..<n {
            d[j] = v[(n - 1) * n + j]
            v[(n - 1) * n + j] = 0
        }
        v[(n - 1) * n + n - 1] = 1
        e[0] = 0
    }

    /// Implicit QL on the tridiagonal (`d`, `e`), rotating the rows of `w` (`n × n`, eigenvectors as rows):
    /// `d` ends as the eigenvalues, row j of `w` as the eigenvector of `d[j]`. At most 60 iterations per value.
    static func diagonalize(
        _ w: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>, _ e: UnsafeMutablePointer<Double>, _ n: Int
    ) {
        for i in 1..<Swift.max(n, 1) { e[i - 1] = e[i] }
        e[n - 1] = 0
        var f = 0.0, tst1 = 0.0
        let eps = 0x1p-52
        for l in 0..<n {
            tst1 = Swift.max(tst1, Swift.abs(d[l]) + Swift.abs(e[l]))
            var m = l
            while m < n - 1 && !(Swift.abs(e[m]) <= eps * tst1) { m += 1 }
            if m > l {
                var iterations = 0
                repeat {
                    iterations += 1
                    var g = d[l]
                    var p = (d[l + 1] - g) / (2 * e[l])
                    var r = hypot(p, 1)
                    if p < 0 { r = -r }
                    d[l] = e[l] / (p + r)
                    d[l + 1] = e[l] * (p + r)
                    let dl1 = d[l + 1]
                    var h = g - d[l]
                    for i in (l + 2)..<n { d[i] -= h }
                    f += h
                    p = d[m]
                    var c = 1.0, c2 = 1.0, c3 = 1.0, s = 0.0, s2 = 0.0
                    let el1 = e[l + 1]
                    for i in stride(from: m - 1, through: l, by: -1) {
                        c3 = c2
                        c2 = c
                        s2 = s
                        g = c * e[i]
                        h = c * p
                        r = hypot(p, e[i])
                        e[i + 1] = s * r
                        s = e[i] / r
                        c = p / r
                        p = c * d[i] - s * g
                        d[i + 1] = h + s * (c * g + s * d[i])
                        let (lo, hi) = (w + i * n, w + (i + 1) * n)
                        for k in 0..<n {
                            let x = hi[k]
                            hi[k] = s * lo[k] + c * x
                            lo[k] = c * lo[k] - s * x
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1
                    e[l] = s * p
                    d[l] = c * p
                } while Swift.abs(e[l]) > eps * tst1 && iterations < 60
            }
            d[l] += f
            e[l] = 0
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
