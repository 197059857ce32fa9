// Gemm: the only file that calls OpenBLAS. OpenBLAS runs single-threaded; large products are split
// by rows of C over `Parallel.threads`, so the thread count is ours and results are repeatable.

import CBLAS

/// Row-major single-precision matrix products on raw buffers.
public enum Gemm {
    /// Pins OpenBLAS to one thread (called once, lazily): kdistill parallelises around it.
    static let configured: Void = { openblas_set_num_threads(1) }()

    /// The kernel set OpenBLAS chose when it loaded (`Prescott`, `Haswell`, `SkylakeX`, ...).
    public static var kernelSet: String { String(cString: openblas_get_corename()) }

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, on the calling thread.
    /// `op(A)` is `[m, k]` (A stored `[k, m]` when `transA`), `op(B)` is `[k, n]` (`[n, k]` when `transB`).
    @inline(__always)
    public static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = configured
        if m == 0 || n == 0 { return }
        if k == 0 {
            scaleRows(c: c, m: m, n: n, ldc: ldc, beta: beta)
            return
        }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The same product, split over threads by rows of C when it is large enough to pay.
    public static func parallelSgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let flops = 2 * m * n * k
        if Parallel.threads == 1 || flops < 4_000_000 {
            sgemm(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if m >= n {
            // Split rows of C: rows of op(A).
            Parallel.chunks(m, minPerThread: 16) { rows in
                let aStart = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
                sgemm(
                    transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha, a: aStart, lda: lda,
                    b: b, ldb: ldb, beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
            }
        } else {
            // Split columns of C: columns of op(B).
            Parallel.chunks(n, minPerThread: 16) { cols in
                let bStart = transB ? b + cols.lowerBound * ldb : b + cols.lowerBound
                sgemm(
                    transA: transA, transB: transB, m: m, n: cols.count, k: k, alpha: alpha, a: a, lda: lda,
                    b: bStart, ldb: ldb, beta: beta, c: c + cols.lowerBound, ldc: ldc)
            }
        }
    }

    private static func scaleRows(c: UnsafeMutablePointer<Float>, m: Int, n: Int, ldc: Int, beta: Float) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
        }
    }
}
