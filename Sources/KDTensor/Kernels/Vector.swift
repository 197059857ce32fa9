// Vector: SIMD reductions and elementwise maps on raw float buffers. Reductions keep several
// SIMD accumulators (a plain `+=` loop cannot vectorise under strict IEEE ordering).

/// Reductions and maps over `UnsafePointer<Float>` runs; the building blocks of the op kernels.
public enum Vector {
    /// Σ x[i], i < n.
    @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 32 <= n {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            i += 32
        }
        var s = (acc0 + acc1).sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// Σ x[i]·y[i], i < n.
    @inline(__always)
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        while i + 32 <= n {
            acc0 +=
                rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                * ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc1 +=
                rx.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
                * ry.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            i += 32
        }
        var s = (acc0 + acc1).sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// (Σ (x[i] − shift), Σ (x[i] − shift)²), i < n.
    @inline(__always)
    public static func shiftedSums(_ x: UnsafePointer<Float>, _ n: Int, shift: Float) -> (Float, Float) {
        var s0 = SIMD16<Float>(), q0 = SIMD16<Float>()
        let sv = SIMD16<Float>(repeating: shift)
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= n {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - sv
            s0 += d
            q0 += d * d
            i += 16
        }
        var s = s0.sum(), q = q0.sum()
        while i < n { let d = x[i] - shift; s += d; q += d * d; i += 1 }
        return (s, q)
    }

    /// max x[i] and its first index, i < n (n > 0).
    @inline(__always)
    public static func argmax(_ x: UnsafePointer<Float>, _ n: Int, stride: Int = 1) -> (Float, Int) {
        var best = x[0], at = 0
        var i = 1
        while i < n {
            let v = x[i * stride]
            if v > best || (v != v && best == best) { best = v; at = i }
            i += 1
        }
        return (best, at)
    }

    /// dst[i] = src[i], i < n: inline SIMD for short runs (a libc call costs more than a row of tens of
    /// floats); the last vector overlaps the previous one instead of a scalar tail.
    @inline(__always)
    public static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, _ n: Int) {
        if n >= 64 {
            dst.update(from: src, count: n)
            return
        }
        if n < 8 {
            for i in 0..<Swift.max(n, 0) { dst[i] = src[i] }
            return
        }
        let rs = UnsafeRawPointer(src), rd = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 < n {
            rd.storeBytes(
                of: rs.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        rd.storeBytes(
            of: rs.loadUnaligned(fromByteOffset: (n - 8) * 4, as: SIMD8<Float>.self), toByteOffset: (n - 8) * 4,
            as: SIMD8<Float>.self)
    }

    /// dst[i] = 0, i < n (n may be 0 or negative: nothing happens).
    @inline(__always)
    public static func zero(_ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        if n >= 64 {
            dst.update(repeating: 0, count: n)
            return
        }
        if n < 8 {
            for i in 0..<Swift.max(n, 0) { dst[i] = 0 }
            return
        }
        let rd = UnsafeMutableRawPointer(dst)
        var i = 0
        while i + 8 < n {
            rd.storeBytes(of: SIMD8<Float>(), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        rd.storeBytes(of: SIMD8<Float>(), toByteOffset: (n - 8) * 4, as: SIMD8<Float>.self)
    }

    /// y[i] += x[i], i < n.
    @inline(__always)
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += x[i] }
    }

    /// y[i] += a·x[i], i < n.
    @inline(__always)
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += a * x[i] }
    }

    /// out[i] = f(x[i]) over `n` elements, split over threads for large n.
    @inline(__always)
    public static func map(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
        _ f: (Float) -> Float
    ) {
        Parallel.chunks(n, minPerThread: 1 << 15) { r in
            for i in r { out[i] = f(x[i]) }
        }
    }

    /// out[i] = f(x[i], y[i]) over `n` elements, split over threads for large n.
    @inline(__always)
    public static func zip(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        _ n: Int, _ f: (Float, Float) -> Float
    ) {
        Parallel.chunks(n, minPerThread: 1 << 15) { r in
            for i in r { out[i] = f(x[i], y[i]) }
        }
    }
}
