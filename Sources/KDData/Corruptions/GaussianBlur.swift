// GaussianBlur: gaussian_blur's separable filter, as scipy's `gaussian_filter(truncate=4,
// mode="nearest")` (skimage's defaults): rows (axis H) then columns (axis W) of each channel plane.

import Foundation

/// A normalised Gaussian kernel and its separable application with replicated edges.
struct GaussianBlur {
    /// Half the kernel, centre first: `weights[d]` for offsets ±d, d = 0…radius.
    let weights: [Double]
    /// `floor(4σ + 0.5)`.
    var radius: Int { weights.count - 1 }

    /// The kernel for `sigma` > 0: `exp(t·(t·(−½/σ²)))` for t = −r…r (scipy's polynomial, evaluated as
    /// Horner does), summed left to right and each divided by the sum.
    init(sigma: Double) {
        let r = Int(4 * sigma + 0.5)
        let k = -0.5 / (sigma * sigma)
        let full = (-r...r).map { t in exp(Double(t) * (Double(t) * k)) }
        var sum = 0.0
        for w in full { sum += w }
        weights = (0...r).map { full[r + $0] / sum }
    }

    /// Blurs the plane `x` `[H, W]` in place along H, then along W; `scratch` holds at least
    /// `H·W + max(H, W) + 2·radius` values.
    func apply(_ x: UnsafeMutablePointer<Double>, height h: Int, width w: Int, scratch: UnsafeMutablePointer<Double>) {
        let tmp = scratch, line = scratch + h * w
        for col in 0..<w { filterLine(x + col, stride: w, count: h, into: tmp + col, line: line) }
        for row in 0..<h { filterLine(tmp + row * w, stride: 1, count: w, into: x + row * w, line: line) }
    }

    /// One line of `count` values `stride` apart, replicated `radius` beyond each end (mode "nearest"),
    /// correlated as scipy's symmetric `NI_Correlate1D`: `x[i]·w₀ + Σ_{d=r…1} (x[i−d] + x[i+d])·w_d`.
    private func filterLine(
        _ src: UnsafePointer<Double>, stride s: Int, count n: Int, into dst: UnsafeMutablePointer<Double>,
        line: UnsafeMutablePointer<Double>
    ) {
        let r = radius
        for j in 0..<(n + 2 * r) { line[j] = src[min(max(j - r, 0), n - 1) * s] }
        weights.withUnsafeBufferPointer { wt in
            for i in 0..<n {
                let centre = line + i + r
                var acc = centre[0] * wt[0]
                var d = r
                while d >= 1 {
                    acc += (centre[-d] + centre[d]) * wt[d]
                    d -= 1
                }
                dst[i * s] = acc
            }
        }
    }
}
