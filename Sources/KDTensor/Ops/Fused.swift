// Fused: max(a + b, 0) in one pass, the end of every residual block (one read of each operand and
// one write instead of two full passes).

/// max(a + b, 0) for same-shaped a and b.
public func addReLU(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "addReLU: \(a.shape) vs \(b.shape)")
    let y = a.elementwise(b, AddReLUElements.self)
    let saved = y.detached()
    return y.recorded(.addReLU, [a, b]) { g in
        let d = g.elementwise(saved, PositiveMaskElements.self)
        return [d, d]
    }
}
