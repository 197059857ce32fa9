// Elementwise: the hot elementwise maps as types rather than closures. A closure handed to a parallel
// loop stays an indirect call per element; a generic operation type is specialised and vectorised.
// Used for the big activation-sized tensors of a training step (add, ReLU and its mask, add+ReLU).

/// f(a, b) for one element.
public protocol BinaryElementwise {
    static func apply(_ a: Float, _ b: Float) -> Float
}

/// a + b.
public enum AddElements: BinaryElementwise {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}

/// a − b.
public enum SubtractElements: BinaryElementwise {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}

/// a · b.
public enum MultiplyElements: BinaryElementwise {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}

/// max(a + b, 0).
public enum AddReLUElements: BinaryElementwise {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { let s = a + b; return s > 0 ? s : 0 }
}

/// The gradient a where b (a ReLU's output) is positive, else 0.
public enum PositiveMaskElements: BinaryElementwise {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { b > 0 ? a : 0 }
}

/// max(a, 0) (b unused).
public enum ReLUElements: BinaryElementwise {
    @inline(__always) public static func apply(_ a: Float, _ b: Float) -> Float { a > 0 ? a : 0 }
}

extension Vector {
    /// out[i] = Op(x[i], y[i]) over `n` elements, split over threads for large n.
    @inline(__always)
    public static func zip<Op: BinaryElementwise>(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, _ n: Int, _ op: Op.Type
    ) {
        Parallel.chunks(n, minPerThread: 1 << 15) { r in
            let (a, b, o) = (x + r.lowerBound, y + r.lowerBound, out + r.lowerBound)
            for i in 0..<r.count { o[i] = Op.apply(a[i], b[i]) }
        }
    }
}

extension Tensor {
    /// Op(self, other) for a same-shaped `other`, not recorded.
    @inline(__always)
    func elementwise<Op: BinaryElementwise>(_ other: Tensor, _ op: Op.Type) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Vector.zip(data, other.data, out.data, count, op)
        return out
    }
}
