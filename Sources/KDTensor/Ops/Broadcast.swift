// Broadcast: NumPy-style broadcasting for binary ops. Shapes are right-aligned; dims of size 1
// stretch. Adjacent dims that stay contiguous are merged so the inner loop is as long as possible.

/// How two shapes broadcast against each other, with merged dims and per-operand strides (0 = stretched).
struct BroadcastPlan {
    let outShape: [Int]
    let dims: [Int]
    let aStrides: [Int]
    let bStrides: [Int]

    /// nil when the shapes are incompatible.
    init?(_ a: [Int], _ b: [Int]) {
        let r = max(a.count, b.count)
        let pa = Array(repeating: 1, count: r - a.count) + a
        let pb = Array(repeating: 1, count: r - b.count) + b
        var out: [Int] = []
        for i in 0..<r {
            guard pa[i] == pb[i] || pa[i] == 1 || pb[i] == 1 else { return nil }
            out.append(max(pa[i], pb[i]))
        }
        outShape = out
        func strides(_ s: [Int]) -> [Int] {
            var st = Array(repeating: 0, count: r), acc = 1
            for i in stride(from: r - 1, through: 0, by: -1) {
                st[i] = (s[i] == 1 && out[i] != 1) ? 0 : acc
                acc *= s[i]
            }
            return st
        }
        let sa = strides(pa), sb = strides(pb)
        // Merge dim i into the kept dim outside it when both operands step through the pair as one run.
        var dims: [Int] = [], ma: [Int] = [], mb: [Int] = []
        for i in 0..<r where out[i] != 1 {
            if let last = dims.last, ma.last! == sa[i] * out[i], mb.last! == sb[i] * out[i] {
                dims[dims.count - 1] = last * out[i]
                ma[ma.count - 1] = sa[i]
                mb[mb.count - 1] = sb[i]
            } else {
                dims.append(out[i]); ma.append(sa[i]); mb.append(sb[i])
            }
        }
        if dims.isEmpty { dims = [1]; ma = [0]; mb = [0] }
        self.dims = dims
        self.aStrides = ma
        self.bStrides = mb
    }

    /// out = f(a, b) elementwise under this plan.
    @inline(__always)
    func apply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        _ f: (Float, Float) -> Float
    ) {
        let r = dims.count
        let inner = dims[r - 1], sa = aStrides[r - 1], sb = bStrides[r - 1]
        let outer = dims.dropLast().reduce(1, *)
        dims.withUnsafeBufferPointer { dimsP in
            aStrides.withUnsafeBufferPointer { aS in
                bStrides.withUnsafeBufferPointer { bS in
                    Parallel.chunks(outer, minPerThread: max(1, 32768 / inner)) { range in
                        for o in range {
                            var rem = o, offA = 0, offB = 0
                            var d = r - 2
                            while d >= 0 {
                                let i = rem % dimsP[d]
                                rem /= dimsP[d]
                                offA += i * aS[d]
                                offB += i * bS[d]
                                d -= 1
                            }
                            let pa = a + offA, pb = b + offB, po = out + o * inner
                            switch (sa, sb) {
                            case (0, 0): let v = f(pa[0], pb[0]); for i in 0..<inner { po[i] = v }
                            case (0, _): let va = pa[0]; for i in 0..<inner { po[i] = f(va, pb[i]) }
                            case (_, 0): let vb = pb[0]; for i in 0..<inner { po[i] = f(pa[i], vb) }
                            default: for i in 0..<inner { po[i] = f(pa[i], pb[i]) }
                            }
                        }
                    }
                }
            }
        }
    }
}
