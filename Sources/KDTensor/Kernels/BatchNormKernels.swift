// BatchNormKernels: per-channel batch normalisation over NCHW, optionally fused with the ReLU that
// follows it. One channel is handled at a time (its N·H·W values stay in cache between passes);
// channels are spread over threads.

/// Batch-norm forward/backward on raw buffers; `n` images, `c` channels, `hw` pixels per plane.
public enum BatchNormKernels {
    /// Training forward: per-channel batch mean, biased variance and 1/sqrt(var + eps) written out,
    /// y = (x − mean)·invStd·γ + β, then max(·, 0) when `relu`.
    public static func trainingForward(x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                       y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                       invStd: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
                                       n: Int, c: Int, hw: Int, eps: Float, relu: Bool) {
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
                for i in 0..<n { affine(x + (i * c + ch) * hw, y + (i * c + ch) * hw, hw, scale, shift, relu) }
            }
        }
    }

    /// Evaluation forward with running statistics.
    public static func inferenceForward(x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                        runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
                                        y: UnsafeMutablePointer<Float>, n: Int, c: Int, hw: Int, eps: Float, relu: Bool) {
        Parallel.chunks(n * c, minPerThread: 16) { planes in
            for p in planes {
                let ch = p % c
                let inv = 1 / (runningVar[ch] + eps).squareRoot()
                let scale = inv * gamma[ch], shift = beta[ch] - runningMean[ch] * scale
                affine(x + p * hw, y + p * hw, hw, scale, shift, relu)
            }
        }
    }

    @inline(__always)
    static func affine(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int,
                       _ scale: Float, _ shift: Float, _ relu: Bool) {
        if relu {
            for j in 0..<count { let v = src[j] * scale + shift; dst[j] = v > 0 ? v : 0 }
        } else {
            for j in 0..<count { dst[j] = src[j] * scale + shift }
        }
    }

    /// Backward. In training mode `mean`/`invStd` are the batch statistics; in evaluation mode they
    /// are the running mean and 1/sqrt(running var + eps) (then dx = dy·γ·invStd). With `relu`,
    /// `y` (the fused output) masks dy. dγ and dβ are overwritten; dx may be nil.
    public static func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>?, dy: UnsafePointer<Float>,
                                gamma: UnsafePointer<Float>, mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>?, dGamma: UnsafeMutablePointer<Float>,
                                dBeta: UnsafeMutablePointer<Float>, n: Int, c: Int, hw: Int, training: Bool) {
        let m = Float(n * hw)
        Parallel.chunks(c) { channels in
            for ch in channels {
                var sumDy: Double = 0, sumDyX: Double = 0
                for i in 0..<n {
                    let off = (i * c + ch) * hw
                    let (a, b) = maskedSums(dy + off, x + off, y.map { $0 + off }, hw)
                    sumDy += Double(a)
                    sumDyX += Double(b)
                }
                let mu = mean[ch], inv = invStd[ch]
                let sumDyXhat = Float(sumDyX - Double(mu) * sumDy) * inv
                dGamma[ch] = sumDyXhat
                dBeta[ch] = Float(sumDy)
                guard let dx else { continue }
                let k = gamma[ch] * inv
                if !training {
                    for i in 0..<n {
                        let off = (i * c + ch) * hw
                        maskedScale(dy + off, y.map { $0 + off }, dx + off, hw, k)
                    }
                    continue
                }
                // dx = γ·invStd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M), x̂ = (x − μ)·invStd
                let meanDy = Float(sumDy) / m, coef = sumDyXhat / m * inv
                for i in 0..<n {
                    let off = (i * c + ch) * hw
                    let dyp = dy + off, xp = x + off, dxp = dx + off
                    if let yp = y.map({ $0 + off }) {
                        for j in 0..<hw {
                            let g = dyp[j] * (yp[j] > 0 ? 1 : 0)
                            dxp[j] = k * (g - meanDy - (xp[j] - mu) * coef)
                        }
                    } else {
                        for j in 0..<hw { dxp[j] = k * (dyp[j] - meanDy - (xp[j] - mu) * coef) }
                    }
                }
            }
        }
    }

    /// (Σ g, Σ g·x) over `count` elements, g = dy masked by y > 0 when y is given.
    @inline(__always)
    static func maskedSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>?,
                           _ count: Int) -> (Float, Float) {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>()
        let rd = UnsafeRawPointer(dy), rx = UnsafeRawPointer(x)
        var j = 0
        if let y {
            let ry = UnsafeRawPointer(y)
            while j + 16 <= count {
                let yv = ry.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                let g = rd.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                    .replacing(with: 0, where: yv .<= 0)
                s0 += g
                s1 += g * rx.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                j += 16
            }
        } else {
            while j + 16 <= count {
                let g = rd.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                s0 += g
                s1 += g * rx.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                j += 16
            }
        }
        var a = s0.sum(), b = s1.sum()
        while j < count {
            let g = (y == nil || y![j] > 0) ? dy[j] : 0
            a += g
            b += g * x[j]
            j += 1
        }
        return (a, b)
    }

    @inline(__always)
    static func maskedScale(_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, _ dx: UnsafeMutablePointer<Float>,
                            _ count: Int, _ k: Float) {
        if let y { for j in 0..<count { dx[j] = dy[j] * (y[j] > 0 ? k : 0) } } else { for j in 0..<count { dx[j] = dy[j] * k } }
    }
}
