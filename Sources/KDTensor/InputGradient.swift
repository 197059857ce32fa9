// InputGradient: the gradient of a scalar function with respect to its input tensor, with given tensors
// (a model's parameters) held fixed, so no parameter gradient is computed or accumulated. Attacks use it.

extension GradMode {
    /// Runs `body` recording on the tape, even inside `noGrad` (an attack inside an evaluation loop).
    public static func withGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = enabled
        enabled = true
        defer { enabled = saved }
        return try body()
    }
}

/// `f(x)` and `∂f/∂x` for a scalar-valued `f`, where `fixed` (a model's parameters) are constants: their
/// `requiresGrad` is off while `f` runs, so backward computes no weight gradient and leaves their `grad`
/// untouched. `x` itself is not modified and never put on the tape (a detached leaf copy is).
/// Returns the value and a gradient of `x`'s shape.
public func inputGradient(of x: Tensor, holdingFixed fixed: [Tensor], _ f: (Tensor) -> Tensor) -> (value: Float, gradient: Tensor)
{
    let flags = fixed.map(\.requiresGrad)
    for t in fixed { t.requiresGrad = false }
    defer { for (t, flag) in zip(fixed, flags) { t.requiresGrad = flag } }
    let leaf = Tensor(shape: x.shape, storage: x.storage, requiresGrad: true)
    return GradMode.withGrad {
        let y = f(leaf)
        precondition(y.count == 1, "inputGradient needs a scalar function, got \(y.shape)")
        y.backward()
        return (y.item, leaf.grad ?? Tensor.zeros(x.shape))
    }
}
