// Unary: elementwise functions with their derivatives: neg, exp, log, sqrt, pow, abs, clamp,
// relu, sigmoid, tanh. Ops whose derivative is cheapest from the output save the output.

import Foundation

extension Tensor {
    /// out[i] = f(self[i]).
    @inline(__always)
    func unaryMap(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Vector.map(data, out.data, count, f)
        return out
    }

    /// out[i] = f(self[i], other[i]) for a same-shaped `other`, not recorded.
    @inline(__always)
    func zipRaw(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let out = Tensor(uninitialized: shape)
        Vector.zip(data, other.data, out.data, count, f)
        return out
    }

    public static prefix func - (a: Tensor) -> Tensor {
        a.unaryMap { -$0 }.recorded(.neg, [a]) { g in [g.unaryMap { -$0 }] }
    }

    /// e^x.
    public func exp() -> Tensor {
        let out = unaryMap { Foundation.exp($0) }
        let y = out.detached()
        return out.recorded(.exp, [self]) { g in [g.zipRaw(y) { g, y in g * y }] }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        let x = detached()
        return unaryMap { Foundation.log($0) }.recorded(.log, [self]) { g in [g.zipRaw(x) { g, x in g / x }] }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        let out = unaryMap { $0.squareRoot() }
        let y = out.detached()
        return out.recorded(.sqrt, [self]) { g in [g.zipRaw(y) { g, y in g / (2 * y) }] }
    }

    /// x^p for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let x = detached()
        let out = p == 2 ? unaryMap { $0 * $0 } : unaryMap { Foundation.pow($0, p) }
        return out.recorded(.pow, [self]) { g in
            [g.zipRaw(x) { g, x in p == 2 ? 2 * x * g : g * p * Foundation.pow(x, p - 1) }]
        }
    }

    /// |x| (subgradient 0 at 0).
    public func abs() -> Tensor {
        let x = detached()
        return unaryMap { Swift.abs($0) }.recorded(.abs, [self]) { g in
            [g.zipRaw(x) { g, x in x > 0 ? g : (x < 0 ? -g : 0) }]
        }
    }

    /// min(max(x, lo), hi); the gradient flows where the value was not clipped.
    public func clamp(min lo: Float = -.infinity, max hi: Float = .infinity) -> Tensor {
        let x = detached()
        return unaryMap { Swift.min(Swift.max($0, lo), hi) }.recorded(.clamp, [self]) { g in
            [g.zipRaw(x) { g, x in (x >= lo && x <= hi) ? g : 0 }]
        }
    }

    /// max(x, 0).
    public func relu() -> Tensor {
        let out = elementwise(self, ReLUElements.self)
        let y = out.detached()
        return out.recorded(.relu, [self]) { g in [g.elementwise(y, PositiveMaskElements.self)] }
    }

    /// 1 / (1 + e^−x).
    public func sigmoid() -> Tensor {
        let out = unaryMap { 1 / (1 + Foundation.exp(-$0)) }
        let y = out.detached()
        return out.recorded(.sigmoid, [self]) { g in [g.zipRaw(y) { g, y in g * y * (1 - y) }] }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let out = unaryMap { Foundation.tanh($0) }
        let y = out.detached()
        return out.recorded(.tanh, [self]) { g in [g.zipRaw(y) { g, y in g * (1 - y * y) }] }
    }
}
