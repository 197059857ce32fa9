// Arithmetic: add, sub, mul, div with broadcasting (and their Float-scalar forms). The gradient of
// a broadcast operand is summed back to its own shape.

extension Tensor {
    /// Elementwise `f(self, other)` under broadcasting; a clear message when shapes disagree.
    @inline(__always)
    func broadcastMap(_ other: Tensor, _ op: Op, _ f: (Float, Float) -> Float) -> Tensor {
        if shape == other.shape {
            let out = Tensor(uninitialized: shape)
            Vector.zip(data, other.data, out.data, count, f)
            return out
        }
        guard let plan = BroadcastPlan(shape, other.shape) else {
            preconditionFailure("\(op): shapes \(shape) and \(other.shape) do not broadcast")
        }
        let out = Tensor(uninitialized: plan.outShape)
        plan.apply(data, other.data, out.data, f)
        return out
    }

    /// Sums a broadcast gradient back down to `target` (the operand's shape).
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return sum(axes: axes, keepDim: true).reshaped(target)
    }

    /// `self + other` without recording (gradient accumulation).
    func addingRaw(_ other: Tensor) -> Tensor { noGrad { self + other } }

    /// self += other, elementwise, same shape, not recorded.
    public func addInPlace(_ other: Tensor) {
        precondition(other.count == count, "addInPlace: \(other.shape) into \(shape)")
        let d = data, o = other.data
        Parallel.chunks(count, minPerThread: 1 << 15) { r in for i in r { d[i] += o[i] } }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        (a.shape == b.shape ? a.elementwise(b, AddElements.self) : a.broadcastMap(b, .add, +)).recorded(.add, [a, b]) { g in
            [g.sumToShape(a.shape), g.sumToShape(b.shape)]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        (a.shape == b.shape ? a.elementwise(b, SubtractElements.self) : a.broadcastMap(b, .sub, -)).recorded(.sub, [a, b]) {
            g in
            [g.sumToShape(a.shape), b.requiresGrad ? (-g).sumToShape(b.shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb) = (a.detached(), b.detached())
        return (a.shape == b.shape ? a.elementwise(b, MultiplyElements.self) : a.broadcastMap(b, .mul, *)).recorded(
            .mul, [a, b]
        ) { g in
            [
                a.requiresGrad ? (g * sb).sumToShape(a.shape) : nil,
                b.requiresGrad ? (g * sa).sumToShape(b.shape) : nil,
            ]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb) = (a.detached(), b.detached())
        return a.broadcastMap(b, .div, /).recorded(.div, [a, b]) { g in
            [
                a.requiresGrad ? (g / sb).sumToShape(a.shape) : nil,
                b.requiresGrad
                    ? (g.broadcastMap(sa, .div, *).broadcastMap(sb, .div) { v, q in -v / (q * q) })
                        .sumToShape(b.shape) : nil,
            ]
        }
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a + Tensor(s) }
    public static func + (s: Float, a: Tensor) -> Tensor { Tensor(s) + a }
    public static func - (a: Tensor, s: Float) -> Tensor { a - Tensor(s) }
    public static func - (s: Float, a: Tensor) -> Tensor { Tensor(s) - a }
    public static func * (a: Tensor, s: Float) -> Tensor { a * Tensor(s) }
    public static func * (s: Float, a: Tensor) -> Tensor { Tensor(s) * a }
    public static func / (a: Tensor, s: Float) -> Tensor { a / Tensor(s) }
    public static func / (s: Float, a: Tensor) -> Tensor { Tensor(s) / a }
}
