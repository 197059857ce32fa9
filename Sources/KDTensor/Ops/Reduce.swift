// Reduce: sum, mean and max over chosen axes (keepDim or not), and broadcasting a reduced
// gradient back out. Reductions run as [outer, r, inner] blocks with SIMD inner loops.

extension Tensor {
    /// Axes normalised (negatives from the end), sorted, unique.
    func normalizedAxes(_ axes: [Int]) -> [Int] {
        let r = rank
        let result = Set(axes.map { $0 < 0 ? $0 + r : $0 })
        precondition(result.allSatisfy { $0 >= 0 && $0 < r }, "axes \(axes) out of range for shape \(shape)")
        return result.sorted()
    }

    /// Sum over `[outer, r, inner]` (shape as a flat triple) into `[outer, inner]`, not recorded.
    static func sumBlock(_ x: UnsafePointer<Float>, outer: Int, r: Int, inner: Int, into out: UnsafeMutablePointer<Float>) {
        if inner == 1 {
            Parallel.chunks(outer, minPerThread: Swift.max(1, 32768 / Swift.max(r, 1))) { range in
                for o in range { out[o] = Vector.sum(x + o * r, r) }
            }
            return
        }
        Parallel.chunks(outer * inner, minPerThread: 4096) { range in
            // Each chunk handles whole (o, inner-slice) runs.
            var i = range.lowerBound
            while i < range.upperBound {
                let o = i / inner, j0 = i % inner
                let j1 = Swift.min(inner, j0 + (range.upperBound - i))
                let dst = out + o * inner
                let src = x + o * r * inner
                for j in j0..<j1 { dst[j] = src[j] }
                for k in 1..<Swift.max(r, 1) {
                    let row = src + k * inner
                    for j in j0..<j1 { dst[j] += row[j] }
                }
                if r == 0 { for j in j0..<j1 { dst[j] = 0 } }
                i += j1 - j0
            }
        }
    }

    /// Sum over `axes`; with `keepDim` the reduced axes stay as size 1.
    public func sum(axes: [Int], keepDim: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes)
        var kept = shape
        for a in ax { kept[a] = 1 }
        let finalShape = keepDim ? kept : shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
        var current = self.detached()
        var curShape = shape
        // Reduce runs of consecutive axes, innermost run first.
        var i = ax.count - 1
        while i >= 0 {
            var j = i
            while j > 0 && ax[j - 1] == ax[j] - 1 { j -= 1 }
            let lo = ax[j], hi = ax[i]
            let outer = curShape[..<lo].reduce(1, *), r = curShape[lo...hi].reduce(1, *)
            let inner = curShape[(hi + 1)...].reduce(1, *)
            for a in lo...hi { curShape[a] = 1 }
            let next = Tensor(uninitialized: curShape)
            Tensor.sumBlock(current.data, outer: outer, r: r, inner: inner, into: next.data)
            current = next
            i = j - 1
        }
        let out = Tensor(shape: finalShape, storage: current.storage === storage ? copy().storage : current.storage)
        let inShape = shape
        return out.recorded(.sum, [self]) { g in [g.reshaped(kept).expanded(to: inShape)] }
    }

    /// Sum of every element, as a rank-0 tensor.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Mean over `axes`.
    public func mean(axes: [Int], keepDim: Bool = false) -> Tensor {
        let n = normalizedAxes(axes).reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDim: keepDim) * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean of every element, as a rank-0 tensor.
    public func mean() -> Tensor { mean(axes: Array(0..<rank)) }

    /// This tensor broadcast (copied) to `target`, not recorded.
    func expanded(to target: [Int]) -> Tensor {
        if shape == target { return self }
        guard let plan = BroadcastPlan(target, shape), plan.outShape == target else {
            preconditionFailure("cannot expand \(shape) to \(target)")
        }
        let out = Tensor(uninitialized: target)
        plan.apply(out.data, data, out.data) { _, b in b }
        return out
    }

    /// Maximum over one axis; the gradient goes to the first maximal element.
    func maxAlong(_ axis: Int, keepDim: Bool) -> Tensor {
        let outer = shape[..<axis].reduce(1, *), r = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var kept = shape
        kept[axis] = 1
        let out = Tensor(uninitialized: keepDim ? kept : shape.enumerated().filter { $0.offset != axis }.map(\.element))
        let index = UnsafeMutableBufferPointer<Int32>.allocate(capacity: Swift.max(outer * inner, 1))
        let x = data, o = out.data
        Parallel.chunks(outer * inner, minPerThread: 1024) { range in
            for p in range {
                let (v, at) = Vector.argmax(x + (p / inner) * r * inner + p % inner, r, stride: inner)
                o[p] = v
                index[p] = Int32(at)
            }
        }
        let indices = IndexBox(index)
        let inShape = shape
        return out.recorded(.max, [self]) { g in
            let dx = Tensor.zeros(inShape)
            let d = dx.data, gp = g.data
            for p in 0..<(outer * inner) {
                d[(p / inner) * r * inner + Int(indices.buffer[p]) * inner + p % inner] += gp[p]
            }
            return [dx]
        }
    }

    /// Maximum over `axes` (gradient to the first maximal element of each reduced group).
    public func max(axes: [Int], keepDim: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes)
        if ax.count == 1 { return maxAlong(ax[0], keepDim: keepDim) }
        let keptAxes = (0..<rank).filter { !ax.contains($0) }
        let keptDims = keptAxes.map { shape[$0] }
        let flat = permuted(keptAxes + ax).reshaped(keptDims + [ax.reduce(1) { $0 * shape[$1] }])
        let m = flat.maxAlong(keptDims.count, keepDim: false)
        if !keepDim { return m }
        var kept = shape
        for a in ax { kept[a] = 1 }
        return m.reshaped(kept)
    }

    /// Maximum of every element, as a rank-0 tensor.
    public func max() -> Tensor { reshaped([count]).maxAlong(0, keepDim: false) }
}

/// Owns an index buffer captured by a backward closure; freed with the closure.
final class IndexBox {
    let buffer: UnsafeMutableBufferPointer<Int32>
    init(_ buffer: UnsafeMutableBufferPointer<Int32>) { self.buffer = buffer }
    deinit { buffer.deallocate() }
}
