// NoiseCorruptions: gaussian_noise (Box–Muller normals), shot_noise (Poisson by inversion, sequential
// search in Double, served from a per-byte table of its cumulative sums) and impulse_noise (salt and
// pepper), on one image of pixel values x ∈ [0, 1] in storage order.

import Foundation
import KDTensor

/// The three random corruptions; each draws from the image's own stream (`CorruptionStreams`).
enum NoiseCorruptions {
    /// `x + c·z`, z a standard normal (`normalDouble`, two uniforms) per pixel.
    static func gaussian(_ x: UnsafeMutableBufferPointer<Double>, c: Double, rng: inout SeededGenerator) {
        for k in 0..<x.count { x[k] = x[k] + c * rng.normalDouble() }
    }

    /// Per pixel u₁ = `uniformDouble()`; when u₁ < c the pixel flips: u₂ < ½ gives salt (1), else pepper (0).
    /// u₂ is drawn only for flipped pixels (skimage `random_noise(mode="s&p", salt_vs_pepper=0.5)`).
    static func impulse(_ x: UnsafeMutableBufferPointer<Double>, c: Double, rng: inout SeededGenerator) {
        for k in 0..<x.count where rng.uniformDouble() < c {
            x[k] = rng.uniformDouble() < 0.5 ? 1 : 0
        }
    }

    /// `Poisson(c·x) / c` per pixel, one `uniformDouble()` each; `table` holds the 256 byte values' sums.
    static func shot(
        _ x: UnsafeMutableBufferPointer<Double>, bytes: UnsafeBufferPointer<UInt8>, table: PoissonTable,
        rng: inout SeededGenerator
    ) {
        for k in 0..<x.count { x[k] = Double(table.sample(byte: Int(bytes[k]), u: rng.uniformDouble())) / table.c }
    }
}

/// Poisson(λ) by inversion with sequential search in Double, for the 256 rates λ_b = (b/255)·c:
///
///     k = 0; p = exp(−λ); F = p
///     while u > F { k += 1; p = p·λ/k; if F + p == F { break }; F = F + p }   → k
///
/// (the search stops where the tail no longer changes F). The cumulative sums F₀, F₁, … of each rate
/// are computed once, by that recurrence; a sample is the first k with u ≤ F_k (binary search), or the
/// stopping k: the same k the loop returns. Exact for λ ≤ 500 (exp(−λ) stays a normal Double).
struct PoissonTable {
    /// The shot-noise parameter c (rates and the division after sampling).
    let c: Double
    /// All rates' cumulative sums, rate after rate.
    private var sums: [Double] = []
    /// Where each rate's sums start in `sums` (257 entries: the last is the end).
    private var starts: [Int] = []
    /// The k the search stops at for a u beyond every sum, per rate.
    private var stops: [Int] = []

    init(c: Double) {
        self.c = c
        for b in 0..<256 {
            starts.append(sums.count)
            let lambda = Double(b) / 255 * c
            var p = exp(-lambda)
            var f = p
            var k = 0
            sums.append(f)
            while true {
                k += 1
                p = p * lambda / Double(k)
                let g = f + p
                if g == f { break }
                f = g
                sums.append(f)
            }
            stops.append(k)
        }
        starts.append(sums.count)
    }

    /// The sample for byte `b` (rate λ_b) and uniform `u`.
    func sample(byte b: Int, u: Double) -> Int {
        let lo0 = starts[b], hi0 = starts[b + 1]
        var lo = lo0, hi = hi0  // first index in lo0..<hi0 with u <= sums[index], or hi0
        sums.withUnsafeBufferPointer { s in
            while lo < hi {
                let mid = (lo + hi) / 2
                if u <= s[mid] { hi = mid } else { lo = mid + 1 }
            }
        }
        return lo < hi0 ? lo - lo0 : stops[b]
    }
}
