// NaiveResize: the loop-nest twin of nearest-neighbour resizing and its gradient, for testing
// ResizeKernels (the index rule written out again, in float32 as PyTorch computes it).

extension Reference {
    /// PyTorch's nearest source index of `dst` along an axis of `n` resized to `out`.
    static func nearestSource(_ dst: Int, n: Int, out: Int) -> Int {
        if n == out { return dst }
        if out == 2 * n { return dst / 2 }
        return min(Int((Float(dst) * (Float(n) / Float(out))).rounded(.down)), n - 1)
    }

    /// Resizes `planes` planes of `[h, w]` to `[oh, ow]` (nearest); returns y and the gradient of Σ y ⊙ dy.
    public static func resizeNearest(
        x: [Float], planes: Int, h: Int, w: Int, oh: Int, ow: Int, dy: [Float]
    ) -> (y: [Float], dx: [Float]) {
        var y = [Float](repeating: 0, count: planes * oh * ow)
        var dx = [Float](repeating: 0, count: x.count)
        for p in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let iy = nearestSource(oy, n: h, out: oh), ix = nearestSource(ox, n: w, out: ow)
                    y[(p * oh + oy) * ow + ox] = x[(p * h + iy) * w + ix]
                    dx[(p * h + iy) * w + ix] += dy[(p * oh + oy) * ow + ox]
                }
            }
        }
        return (y, dx)
    }
}
