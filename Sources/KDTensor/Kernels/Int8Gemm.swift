// Int8Gemm: the integer GEMM of int8 inference: uint8 activations × int8 weights with 32-bit accumulation
// and the activation zero point corrected through the weights' row sums (Jacob et al. 2018, §2.3); the VNNI
// micro-kernel of CInt8 where the CPU has it, else portable widening loops (AVX2 vpmaddwd).

import CInt8
import Foundation

/// uint8 × int8 → int32 matrix products (the naive twin is `Reference.int8Gemm`).
public enum Int8Gemm {
    /// The inner kernel of `multiply`.
    public enum Kernel: Sendable, Equatable {
        /// Widening Swift loops that LLVM vectorises (any x86-64; vpmaddwd with AVX2).
        case portable
        /// CInt8's 3×4 tile of vpdpbusd dot products (AVX-VNNI or AVX512-VNNI); needs k a multiple of 32.
        case vnni
    }

    /// The padding of k that lets every kernel run without a scalar tail: callers pad rows of both operands
    /// to a multiple of it (zero weights).
    public static let depthAlignment = 32

    /// The CPU's VNNI level (CInt8: 0 none, 1 AVX-VNNI, 2 AVX512-VNNI), read once.
    static let vnniLevel = Int32(kd_int8_vnni_level())

    /// The fastest kernel this CPU runs; `KDISTILL_INT8_KERNEL=portable` forces the portable one.
    public static let best: Kernel = {
        if ProcessInfo.processInfo.environment["KDISTILL_INT8_KERNEL"]?.lowercased() == "portable" { return .portable }
        return vnniLevel > 0 ? .vnni : .portable
    }()

    /// Whether this CPU can run `kernel`.
    public static func available(_ kernel: Kernel) -> Bool { kernel == .portable || vnniLevel > 0 }

    /// `c[i·rowStride + j·colStride] = Σ_k (a[i, k] − aZero) · b[j, k]` for `a` uint8 `[m, k]` and `b` int8
    /// `[n, k]` (both rows contiguous in k), computed as `Σ a·b − aZero · bRowSums[j]` with
    /// `bRowSums[j] = Σ_k b[j, k]` (`rowSums`). Single-threaded: callers split rows over cores.
    /// `kernel` (default `best`) runs when the CPU has it and k suits it, else the portable loops, in which
    /// four columns share each pass over a row of `a`. Callers pad k to `depthAlignment` with zero weights.
    public static func multiply(
        a: UnsafePointer<UInt8>, aZero: Int32, b: UnsafePointer<Int8>, bRowSums: UnsafePointer<Int32>,
        m: Int, n: Int, k: Int, c: UnsafeMutablePointer<Int32>, rowStride: Int, colStride: Int, kernel: Kernel = best
    ) {
        if kernel == .vnni, vnniLevel > 0, k % 32 == 0, m > 0, n > 0 {
            kd_int8_gemm_vnni(vnniLevel, a, aZero, b, bRowSums, m, n, k, c, rowStride, colStride)
            return
        }
        for i in 0..<m {
            let ar = a + i * k
            var j = 0
            while j + 4 <= n {
                let b0 = b + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k
                // Plain widening loops: LLVM vectorises each reduction (vpmovzx/vpmovsx, vpmaddwd on AVX2).
                var t0: Int32 = 0, t1: Int32 = 0, t2: Int32 = 0, t3: Int32 = 0
                for kk in 0..<k {
                    let x = Int32(ar[kk])
                    t0 &+= x &* Int32(b0[kk])
                    t1 &+= x &* Int32(b1[kk])
                    t2 &+= x &* Int32(b2[kk])
                    t3 &+= x &* Int32(b3[kk])
                }
                let out = c + i * rowStride + j * colStride
                out[0] = t0 &- aZero &* bRowSums[j]
                out[colStride] = t1 &- aZero &* bRowSums[j + 1]
                out[2 * colStride] = t2 &- aZero &* bRowSums[j + 2]
                out[3 * colStride] = t3 &- aZero &* bRowSums[j + 3]
                j += 4
            }
            while j < n {
                let bj = b + j * k
                var t: Int32 = 0
                for kk in 0..<k { t &+= Int32(ar[kk]) &* Int32(bj[kk]) }
                c[i * rowStride + j * colStride] = t &- aZero &* bRowSums[j]
                j += 1
            }
        }
    }

    /// `Σ_k b[j, k]` for each row of int8 `b` `[n, k]`.
    public static func rowSums(_ b: [Int8], n: Int, k: Int) -> [Int32] {
        (0..<n).map { j in (0..<k).reduce(Int32(0)) { $0 + Int32(b[j * k + $1]) } }
    }
}
