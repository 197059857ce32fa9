// NaivePool: loop-nest twins of max/average pooling (fixed and adaptive windows) and their
// gradients, for testing PoolKernels.

extension Reference {
    /// Window bounds `[lo, hi)` along one axis; `divisor` counts padding for fixed windows.
    static func window(_ o: Int, n: Int, out: Int, kernel: Int?, stride: Int, padding: Int) -> (Int, Int, Int) {
        guard let kernel else {
            let lo = (o * n) / out, hi = ((o + 1) * n + out - 1) / out
            return (lo, hi, hi - lo)
        }
        let start = o * stride - padding
        return (max(start, 0), min(start + kernel, n), min(start + kernel, n + padding) - start)
    }

    /// Pools `planes` planes of `[h, w]` to `[oh, ow]`; `kernel == nil` means adaptive windows.
    /// Returns the pooled values and, for max pooling, the gradient routed from `dy`.
    public static func pool(
        x: [Float], planes: Int, h: Int, w: Int, oh: Int, ow: Int, kernel: Int?, stride: Int,
        padding: Int, max isMax: Bool, dy: [Float]
    ) -> (y: [Float], dx: [Float]) {
        var y = [Float](repeating: 0, count: planes * oh * ow)
        var dx = [Float](repeating: 0, count: x.count)
        for p in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let (y0, y1, dyv) = window(oy, n: h, out: oh, kernel: kernel, stride: stride, padding: padding)
                    let (x0, x1, dxv) = window(ox, n: w, out: ow, kernel: kernel, stride: stride, padding: padding)
                    let o = (p * oh + oy) * ow + ox
                    if isMax {
                        var best = -Float.infinity, at = p * h * w + y0 * w + x0
                        for iy in y0..<y1 {
                            for ix in x0..<x1 where x[p * h * w + iy * w + ix] > best {
                                best = x[p * h * w + iy * w + ix]; at = p * h * w + iy * w + ix
                            }
                        }
                        y[o] = best
                        dx[at] += dy[o]
                    } else {
                        var s: Float = 0
                        for iy in y0..<y1 { for ix in x0..<x1 { s += x[p * h * w + iy * w + ix] } }
                        let d = Float(dyv * dxv)
                        y[o] = s / d
                        for iy in y0..<y1 { for ix in x0..<x1 { dx[p * h * w + iy * w + ix] += dy[o] / d } }
                    }
                }
            }
        }
        return (y, dx)
    }
}
