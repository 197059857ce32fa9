// UpdateKernels: the per-element optimizer updates on raw buffers, written on SIMD16 blocks (the
// buffers may alias as far as the compiler knows, so plain loops stay scalar) with a scalar tail.
// Each kernel handles one contiguous range; callers split big tensors with `Parallel.chunks`.

private typealias V16 = SIMD16<Float>

@inline(__always) private func load(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> V16 {
    UnsafeRawPointer(p).loadUnaligned(fromByteOffset: i * 4, as: V16.self)
}

@inline(__always) private func store(_ v: V16, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, toByteOffset: i * 4, as: V16.self)
}

/// Element-wise optimizer updates.
enum UpdateKernels {
    /// Plain SGD on `r`: p += −lr·(g + wd·p) (the decay term only when `decay`).
    static func sgd(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ r: Range<Int>,
        lr: Float, wd: Float, decay: Bool
    ) {
        var j = r.lowerBound
        while j + 16 <= r.upperBound {
            let pj = load(p, j), gj = load(g, j)
            store(pj + -lr * (decay ? gj + wd * pj : gj), p, j)
            j += 16
        }
        while j < r.upperBound {
            p[j] = p[j] + -lr * (decay ? g[j] + wd * p[j] : g[j])
            j += 1
        }
    }

    /// SGD with momentum on `r`: d = g + wd·p; buf = first ? d : μ·buf + d;
    /// p += −lr·(nesterov ? d + μ·buf : buf).
    static func sgdMomentum(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
        _ b: UnsafeMutablePointer<Float>, _ r: Range<Int>, lr: Float, wd: Float, decay: Bool,
        mu: Float, first: Bool, nesterov: Bool
    ) {
        var j = r.lowerBound
        while j + 16 <= r.upperBound {
            let pj = load(p, j), gj = load(g, j)
            let d = decay ? gj + wd * pj : gj
            let buf = first ? d : load(b, j) * mu + d
            store(buf, b, j)
            store(pj + -lr * (nesterov ? d + mu * buf : buf), p, j)
            j += 16
        }
        while j < r.upperBound {
            let d = decay ? g[j] + wd * p[j] : g[j]
            let buf = first ? d : b[j] * mu + d
            b[j] = buf
            p[j] = p[j] + -lr * (nesterov ? d + mu * buf : buf)
            j += 1
        }
    }

    /// Coefficients of one Adam step for one parameter (PyTorch's float32 values).
    struct AdamCoefficients {
        /// p *= shrink first (AdamW), when `decoupled`.
        var shrink: Float, decoupled: Bool
        /// g += l2·p (Adam's weight decay), when `coupled`.
        var l2: Float, coupled: Bool
        /// m += lerpWeight·(g − m); v = β2·v + (1 − β2)·g².
        var lerpWeight: Float, beta2: Float, oneMinusBeta2: Float
        /// p += −stepSize·m / (√v / bc2Sqrt + eps).
        var stepSize: Float, bc2Sqrt: Float, eps: Float
    }

    /// Adam / AdamW on `r`.
    static func adam(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, _ r: Range<Int>, _ c: AdamCoefficients
    ) {
        var j = r.lowerBound
        while j + 16 <= r.upperBound {
            var pj = load(p, j)
            if c.decoupled { pj = pj * c.shrink }
            let gj = c.coupled ? load(g, j) + c.l2 * pj : load(g, j)
            let m0 = load(m, j)
            let mj = m0 + c.lerpWeight * (gj - m0)
            let vj = load(v, j) * c.beta2 + c.oneMinusBeta2 * gj * gj
            var root = vj
            for k in 0..<16 { root[k] = root[k].squareRoot() }
            store(mj, m, j)
            store(vj, v, j)
            store(pj + -c.stepSize * mj / (root / c.bc2Sqrt + c.eps), p, j)
            j += 16
        }
        while j < r.upperBound {
            var pj = p[j]
            if c.decoupled { pj = pj * c.shrink }
            let gj = c.coupled ? g[j] + c.l2 * pj : g[j]
            let mj = m[j] + c.lerpWeight * (gj - m[j])
            let vj = v[j] * c.beta2 + c.oneMinusBeta2 * gj * gj
            m[j] = mj
            v[j] = vj
            p[j] = pj + -c.stepSize * mj / (vj.squareRoot() / c.bc2Sqrt + c.eps)
            j += 1
        }
    }
}
