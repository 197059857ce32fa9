// BatchNormKernels: per-channel batch normalisation over NCHW, optionally fused with the ReLU that
// follows it. One channel is handled at a time (its N·H·W values stay in cache between passes);
// channels are spread over threads.

/// Batch-norm forward/backward on raw buffers; `n` images, `c` channels, `hw` pixels per plane.
public enum BatchNormKernels {
    /// Training forward: per-channel batch mean, biased variance and 1/sqrt(var + eps) written out,
    /// y = (x − mean)·invStd·γ + β, then max(·, 0) when `relu`.
    public static func trainingForward(
        x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
        invStd: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
        affine: UnsafeMutablePointer<Float>, n: Int, c: Int, hw: Int, eps: Float, relu: Bool
    ) {
        let m = Double(n * hw)
        Parallel.chunks(c) { channels in
            for ch in channels {
                // One pass: sums of d = x − pivot and d² (a pivot from the channel keeps E[d²] − E[d]² accurate).
                let pivot = x[ch * hw]
                var total: Double = 0, sq: Double = 0
                for i in 0..<n {
                    let (s1, s2) = Vector.shiftedSums(x + (i * c + ch) * hw, hw, shift: pivot)
                    total += Double(s1)
                    sq += Double(s2)
                }
                let meanShifted = total / m
                let mu = Float(Double(pivot) + meanShifted)
                sq = Swift.max(0, sq - meanShifted * meanShifted * m)
                let inv = Float(1 / (sq / m + Double(eps)).squareRoot())
                variance[ch] = Float(sq / m)
                mean[ch] = mu
                invStd[ch] = inv
                let scale = inv * gamma[ch], shift = beta[ch] - mu * inv * gamma[ch]
                affine[2 * ch] = scale
                affine[2 * ch + 1] = shift
                for i in 0..<n { apply(x + (i * c + ch) * hw, y + (i * c + ch) * hw, hw, scale, shift, relu) }
            }
        }
    }

    /// Evaluation forward with running statistics.
    public static func inferenceForward(
        x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>, affine: UnsafeMutablePointer<Float>,
        n: Int, c: Int, hw: Int, eps: Float, relu: Bool
    ) {
        for ch in 0..<c {
            let inv = 1 / (runningVar[ch] + eps).squareRoot()
            affine[2 * ch] = inv * gamma[ch]
            affine[2 * ch + 1] = beta[ch] - runningMean[ch] * affine[2 * ch]
        }
        Parallel.chunks(n * c, minPerThread: 16) { planes in
            for p in planes {
                let ch = p % c
                apply(x + p * hw, y + p * hw, hw, affine[2 * ch], affine[2 * ch + 1], relu)
            }
        }
    }

    @inline(__always)
    static func apply(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int,
        _ scale: Float, _ shift: Float, _ relu: Bool
    ) {
        if relu {
            for j in 0..<count { let v = src[j] * scale + shift; dst[j] = v > 0 ? v : 0 }
        } else {
            for j in 0..<count { dst[j] = src[j] * scale + shift }
        }
    }

    /// Backward. In training mode `mean`/`invStd` are the batch statistics; in evaluation mode they
    /// are the running mean and 1/sqrt(running var + eps) (then dx = dy·γ·invStd). With `relu`, dy is masked
    /// where the fused output was 0, recomputed from x and the forward's per-channel (scale, shift) in
    /// `affine`, so the output need not be read again. dγ and dβ are overwritten; dx may be nil.
    public static func backward(
        x: UnsafePointer<Float>, dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, affine: UnsafePointer<Float>,
        relu: Bool, dx: UnsafeMutablePointer<Float>?, dGamma: UnsafeMutablePointer<Float>,
        dBeta: UnsafeMutablePointer<Float>, n: Int, c: Int, hw: Int, training: Bool
    ) {
        let m = Float(n * hw)
        Parallel.chunks(c) { channels in
            for ch in channels {
                let (scale, shift) = (affine[2 * ch], affine[2 * ch + 1])
                var sumDy: Double = 0, sumDyX: Double = 0
                for i in 0..<n {
                    let off = (i * c + ch) * hw
                    let (a, b) = maskedSums(dy + off, x + off, hw, relu: relu, scale: scale, shift: shift)
                    sumDy += Double(a)
                    sumDyX += Double(b)
                }
                let mu = mean[ch], inv = invStd[ch]
                let sumDyXhat = Float(sumDyX - Double(mu) * sumDy) * inv
                dGamma[ch] = sumDyXhat
                dBeta[ch] = Float(sumDy)
                guard let dx else { continue }
                let k = gamma[ch] * inv
                // Training: dx = γ·invStd·(g − Σg/M − x̂·Σ(g·x̂)/M), x̂ = (x − μ)·invStd. Evaluation: dx = γ·invStd·g.
                let meanDy = training ? Float(sumDy) / m : 0, coef = training ? sumDyXhat / m * inv : 0
                for i in 0..<n {
                    let off = (i * c + ch) * hw
                    inputGradient(
                        dy + off, x + off, dx + off, hw, relu: relu, scale: scale, shift: shift,
                        k: k, meanDy: meanDy, mu: mu, coef: coef)
                }
            }
        }
    }

    /// (Σ g, Σ g·x) over `count` elements, g = dy, zeroed where x·scale + shift ≤ 0 when `relu`.
    @inline(__always)
    static func maskedSums(
        _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, relu: Bool,
        scale: Float, shift: Float
    ) -> (Float, Float) {
        typealias V = SIMD16<Float>
        var s0 = V(), s1 = V()
        let rd = UnsafeRawPointer(dy), rx = UnsafeRawPointer(x)
        let sv = V(repeating: scale), hv = V(repeating: shift)
        var j = 0
        while j + 16 <= count {
            let xv = rx.loadUnaligned(fromByteOffset: j * 4, as: V.self)
            var g = rd.loadUnaligned(fromByteOffset: j * 4, as: V.self)
            if relu { g.replace(with: 0, where: xv * sv + hv .<= 0) }
            s0 += g
            s1 += g * xv
            j += 16
        }
        var a = s0.sum(), b = s1.sum()
        while j < count {
            let g = (relu && !(x[j] * scale + shift > 0)) ? 0 : dy[j]
            a += g
            b += g * x[j]
            j += 1
        }
        return (a, b)
    }

    /// dx = k·(g − meanDy − (x − μ)·coef) with g the (masked) dy.
    @inline(__always)
    static func inputGradient(
        _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
        _ count: Int, relu: Bool, scale: Float, shift: Float, k: Float, meanDy: Float, mu: Float, coef: Float
    ) {
        typealias V = SIMD16<Float>
        let rd = UnsafeRawPointer(dy), rx = UnsafeRawPointer(x), ro = UnsafeMutableRawPointer(dx)
        let sv = V(repeating: scale), hv = V(repeating: shift), kv = V(repeating: k)
        let mdv = V(repeating: meanDy), muv = V(repeating: mu), cv = V(repeating: coef)
        var j = 0
        while j + 16 <= count {
            let xv = rx.loadUnaligned(fromByteOffset: j * 4, as: V.self)
            var g = rd.loadUnaligned(fromByteOffset: j * 4, as: V.self)
            if relu { g.replace(with: 0, where: xv * sv + hv .<= 0) }
            ro.storeBytes(of: kv * (g - mdv - (xv - muv) * cv), toByteOffset: j * 4, as: V.self)
            j += 16
        }
        while j < count {
            let g = (relu && !(x[j] * scale + shift > 0)) ? 0 : dy[j]
            dx[j] = k * (g - meanDy - (x[j] - mu) * coef)
            j += 1
        }
    }
}
