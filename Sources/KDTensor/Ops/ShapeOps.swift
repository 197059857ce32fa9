// ShapeOps: reshape and flatten (views sharing storage), permute, concat, slice and
// index-select (copies). Each gradient is the inverse rearrangement.

extension Tensor {
    /// The same elements under a new shape (a view; one dim may be -1).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let hole = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            target[hole] = known == 0 ? 0 : count / known
        }
        precondition(target.product == count, "reshape: \(shape) has \(count) elements, \(newShape) does not fit")
        if target == shape { return self }
        let inShape = shape
        return Tensor(shape: target, storage: storage).recorded(.reshape, [self]) { g in [g.reshaped(inShape)] }
    }

    /// Dims from `startAxis` on merged into one (`[N, C, H, W]` → `[N, C·H·W]` by default).
    public func flattened(from startAxis: Int = 1) -> Tensor {
        reshaped(Array(shape[..<startAxis]) + [shape[startAxis...].reduce(1, *)])
    }

    /// Dims reordered: output dim i is input dim `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permute: \(order) is not a permutation of \(rank) dims")
        if order == Array(0..<rank) { return self }
        let out = Tensor(uninitialized: order.map { shape[$0] })
        var inStrides = Array(repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        Tensor.stridedCopy(from: data, strides: order.map { inStrides[$0] }, shape: out.shape, to: out.data)
        var inverse = Array(repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return out.recorded(.permute, [self]) { g in [g.permuted(inverse)] }
    }

    /// out[i0, i1, ...] = src[Σ i_k · strides[k]] over `shape`, out contiguous.
    static func stridedCopy(from src: UnsafePointer<Float>, strides: [Int], shape: [Int], to out: UnsafeMutablePointer<Float>) {
        let r = shape.count
        guard r > 0 else { out[0] = src[0]; return }
        let inner = shape[r - 1], innerStride = strides[r - 1]
        let outer = shape.product / Swift.max(inner, 1)
        shape.withUnsafeBufferPointer { dims in
            strides.withUnsafeBufferPointer { st in
                Parallel.chunks(outer, minPerThread: Swift.max(1, 16384 / Swift.max(inner, 1))) { range in
                    for o in range {
                        var rem = o, off = 0, d = r - 2
                        while d >= 0 { off += (rem % dims[d]) * st[d]; rem /= dims[d]; d -= 1 }
                        let s = src + off, dst = out + o * inner
                        if innerStride == 1 {
                            dst.update(from: s, count: inner)
                        } else {
                            for j in 0..<inner { dst[j] = s[j * innerStride] }
                        }
                    }
                }
            }
        }
    }

    /// Elements `range` of dim `axis` (a copy).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = axis < 0 ? axis + rank : axis
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax], "slice \(range) out of dim \(ax) of \(shape)")
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        var outShape = shape
        outShape[ax] = range.count
        let out = Tensor(uninitialized: outShape)
        let src = data, dst = out.data, len = range.count * inner, full = shape[ax] * inner
        for o in 0..<outer { (dst + o * len).update(from: src + o * full + range.lowerBound * inner, count: len) }
        let inShape = shape
        return out.recorded(.slice, [self]) { g in
            let dx = Tensor.zeros(inShape)
            for o in 0..<outer { (dx.data + o * full + range.lowerBound * inner).update(from: g.data + o * len, count: len) }
            return [dx]
        }
    }

    /// Entries `indices` of dim `axis`, in that order (repeats allowed; their gradients add up).
    public func indexSelect(axis: Int, _ indices: [Int]) -> Tensor {
        let ax = axis < 0 ? axis + rank : axis
        precondition(indices.allSatisfy { $0 >= 0 && $0 < shape[ax] }, "indexSelect: index out of dim \(ax) of \(shape)")
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *), d = shape[ax]
        var outShape = shape
        outShape[ax] = indices.count
        let out = Tensor(uninitialized: outShape)
        let src = data, dst = out.data, k = indices.count
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                (dst + (o * k + j) * inner).update(from: src + (o * d + i) * inner, count: inner)
            }
        }
        let inShape = shape
        return out.recorded(.indexSelect, [self]) { g in
            let dx = Tensor.zeros(inShape)
            for o in 0..<outer {
                for (j, i) in indices.enumerated() {
                    Vector.add(g.data + (o * k + j) * inner, into: dx.data + (o * d + i) * inner, inner)
                }
            }
            return [dx]
        }
    }
}

/// Tensors joined along `axis`; all other dims must agree.
public func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
    precondition(!tensors.isEmpty, "concat of no tensors")
    let first = tensors[0]
    let ax = axis < 0 ? axis + first.rank : axis
    for t in tensors {
        precondition(
            t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == ax || t.shape[$0] == first.shape[$0] },
            "concat: \(t.shape) does not match \(first.shape) off axis \(ax)")
    }
    let outer = first.shape[..<ax].reduce(1, *), inner = first.shape[(ax + 1)...].reduce(1, *)
    let sizes = tensors.map { $0.shape[ax] }
    let total = sizes.reduce(0, +)
    var outShape = first.shape
    outShape[ax] = total
    let out = Tensor(uninitialized: outShape)
    var offset = 0
    for (t, s) in zip(tensors, sizes) {
        for o in 0..<outer { (out.data + (o * total + offset) * inner).update(from: t.data + o * s * inner, count: s * inner) }
        offset += s
    }
    return out.recorded(.concat, tensors) { g in
        var start = 0
        return sizes.map { s in
            defer { start += s }
            return g.slice(axis: ax, start..<(start + s))
        }
    }
}
