// NaiveSymmetricEigen: cyclic Jacobi rotations in double (Golub & Van Loan §8.5), the twin that tests the
// tridiagonal QL kernel behind the symmetricEigen op.

extension Reference {
    /// Every eigenpair of the symmetric `n × n` matrix `g` (row-major; only its symmetric part is read), sorted
    /// and signed as `symmetricEigen` returns them: `vectors` row-major `n × n` with eigenvectors as columns.
    public static func symmetricEigen(_ g: [Float], n: Int) -> (vectors: [Double], values: [Double]) {
        var a = (0..<(n * n)).map { 0.5 * (Double(g[$0]) + Double(g[($0 % n) * n + $0 / n])) }
        var v = [Double](repeating: 0, count: n * n), values = [Double](repeating: 0, count: n)
        for i in 0..<n { v[i * n + i] = 1 }
        let total = a.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<60 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] } }
            if !(off > 1e-28 * total) { break }  // also stops on NaN
            for p in 0..<(n - 1) { for q in (p + 1)..<n { jacobiRotate(&a, &v, n, p, q) } }
        }
        for i in 0..<n { values[i] = a[i * n + i] }
        var sortedV = [Double](repeating: 0, count: n * n), sortedValues = values, order = [Int](repeating: 0, count: n)
        SymmetricEigenKernel.sortAndFixSigns(v, values, n, into: &sortedV, &sortedValues, order: &order)
        return (sortedV, sortedValues)
    }

    /// One rotation A ← JᵀAJ, V ← VJ in the plane (p, q) that zeroes a[p, q] (the smaller angle).
    static func jacobiRotate(_ a: inout [Double], _ v: inout [Double], _ n: Int, _ p: Int, _ q: Int) {
        let apq = a[p * n + q]
        if apq == 0 { return }
        let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
        let t = (theta >= 0 ? 1.0 : -1.0) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        for r in 0..<n {
            let (x, y) = (a[r * n + p], a[r * n + q])
            a[r * n + p] = c * x - s * y
            a[r * n + q] = s * x + c * y
        }
        for r in 0..<n {
            let (x, y) = (a[p * n + r], a[q * n + r])
            a[p * n + r] = c * x - s * y
            a[q * n + r] = s * x + c * y
        }
        (a[p * n + q], a[q * n + p]) = (0, 0)
        for r in 0..<n {
            let (x, y) = (v[r * n + p], v[r * n + q])
            v[r * n + p] = c * x - s * y
            v[r * n + q] = s * x + c * y
        }
    }
}
