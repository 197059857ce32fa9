// FakeQuantKernels: fake quantization (quantize then dequantize, Int8Scheme's rule) and its straight-through
// gradient mask on raw buffers, per tensor or per output channel, split over cores; the observers' min/max.

/// Fast loops of fake quantization; `Reference/NaiveFakeQuant` is their per-element twin.
public enum FakeQuantKernels {
    /// Elements per thread below which a loop stays on one thread.
    static let minPerThread = 1 << 15

    /// out[i] = p.fakeQuantize(x[i]), i < n: the same arithmetic as QuantParams (division by the scale, ties
    /// to even, clamp in float), written so the compiler vectorises it.
    @inline(__always)
    static func fakeQuantizeRun(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ p: QuantParams
    ) {
        let (s, z, lo, hi) = (p.scale, Float(p.zeroPoint), Float(p.qmin), Float(p.qmax))
        for i in 0..<n {
            let q = Swift.min(Swift.max((x[i] / s).rounded(.toNearestOrEven) + z, lo), hi)
            out[i] = s * (q - z)
        }
    }

    /// out[i] = g[i] where x[i] is inside p's range (p.isInRange), else 0: the straight-through estimator.
    @inline(__always)
    static func passMaskRun(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
        _ p: QuantParams
    ) {
        let (s, z, lo, hi) = (p.scale, Float(p.zeroPoint), Float(p.qmin), Float(p.qmax))
        for i in 0..<n {
            let q = (x[i] / s).rounded(.toNearestOrEven) + z
            out[i] = (q >= lo && q <= hi) ? g[i] : 0
        }
    }

    /// Fake-quantizes `n` elements with one parameter set, over the cores.
    public static func fakeQuantize(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ p: QuantParams
    ) {
        Parallel.chunks(n, minPerThread: minPerThread) { r in
            fakeQuantizeRun(x + r.lowerBound, out + r.lowerBound, r.count, p)
        }
    }

    /// The straight-through gradient of `fakeQuantize` for upstream `g`.
    public static func passMask(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
        _ p: QuantParams
    ) {
        Parallel.chunks(n, minPerThread: minPerThread) { r in
            passMaskRun(g + r.lowerBound, x + r.lowerBound, out + r.lowerBound, r.count, p)
        }
    }

    /// Fake-quantizes `[C, per]` row-major with parameters `params[c]` per row (output channel), over the cores.
    public static func fakeQuantizePerChannel(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, per: Int, _ params: [QuantParams]
    ) {
        params.withUnsafeBufferPointer { ps in
            Parallel.chunks(ps.count, minPerThread: Swift.max(1, minPerThread / Swift.max(per, 1))) { r in
                for c in r { fakeQuantizeRun(x + c * per, out + c * per, per, ps[c]) }
            }
        }
    }

    /// The straight-through gradient of `fakeQuantizePerChannel`.
    public static func passMaskPerChannel(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, per: Int,
        _ params: [QuantParams]
    ) {
        params.withUnsafeBufferPointer { ps in
            Parallel.chunks(ps.count, minPerThread: Swift.max(1, minPerThread / Swift.max(per, 1))) { r in
                for c in r { passMaskRun(g + c * per, x + c * per, out + c * per, per, ps[c]) }
            }
        }
    }

    /// (min, max) of `n > 0` elements (what an activation observer sees of one batch).
    public static func minMax(_ x: UnsafePointer<Float>, _ n: Int) -> (min: Float, max: Float) {
        precondition(n > 0, "minMax of no elements")
        var lo = SIMD16<Float>(repeating: x[0]), hi = lo
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            lo = pointwiseMin(lo, v)
            hi = pointwiseMax(hi, v)
            i += 16
        }
        var a = lo.min(), b = hi.max()
        while i < n {
            a = Swift.min(a, x[i])
            b = Swift.max(b, x[i])
            i += 1
        }
        return (a, b)
    }

    /// The largest |x| of each of `channels` contiguous rows of `per` elements (a weight's per-channel range).
    public static func maxAbsPerRow(_ x: UnsafePointer<Float>, channels: Int, per: Int) -> [Float] {
        (0..<channels).map { c in
            let (a, b) = minMax(x + c * per, per)
            return Swift.max(-a, b)
        }
    }
}
