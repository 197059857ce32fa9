// Reverse-mode autodiff: every op run while recording attaches a GradNode (its inputs and a closure
// mapping the output's gradient to the inputs'); `backward()` walks them in reverse topological order.

/// One recorded op: which primitive it was (for the gradient-check census), its inputs and its
/// backward rule.
final class GradNode {
    let op: Op
    let inputs: [Tensor]
    /// Maps the gradient of the output to one gradient per input (nil where none flows).
    let backward: (Tensor) -> [Tensor?]

    init(op: Op, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether ops are recorded on the tape. Training code runs on one thread; kernels fan out below it.
public enum GradMode {
    nonisolated(unsafe) static var enabled = true

    /// Whether the tape is recording now.
    public static var isEnabled: Bool { enabled }

    /// Runs `body` without recording (teacher forwards, evaluation, optimizer steps).
    public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = enabled
        enabled = false
        defer { enabled = saved }
        return try body()
    }
}

/// Shorthand for `GradMode.withoutGrad`.
public func noGrad<T>(_ body: () throws -> T) rethrows -> T { try GradMode.withoutGrad(body) }

extension Tensor {
    /// Attaches `backward` to `self` when recording and any input requires a gradient; returns self.
    @discardableResult
    func recorded(_ op: Op, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        Profiler.forwardDone(op)
        guard GradMode.enabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        node = GradNode(op: op, inputs: inputs, backward: backward)
        return self
    }

    /// The op that produced this tensor, if recorded.
    public var recordedOp: Op? { node?.op }

    /// Every op recorded on the tape that leads to this tensor (empty when nothing was recorded or
    /// after `backward()` consumed the graph). The gradient-check census reads it.
    public var opsOnTape: Set<Op> { Set(topologicalOrder().compactMap { $0.node?.op }) }

    /// Back-propagates from this tensor (a scalar unless `seed` is given), accumulating into the
    /// `grad` of every leaf that requires one. The recorded graph is released as it is consumed.
    public func backward(seed: Tensor? = nil) {
        precondition(seed != nil || count == 1, "backward() without a seed needs a scalar, got \(shape)")
        guard requiresGrad else { return }
        let order = topologicalOrder()
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed ?? Tensor(shape: shape, repeating: 1)]
        for t in order.reversed() {
            guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
            guard let node = t.node else {
                t.accumulateGrad(g)
                continue
            }
            // The op's rule and the accumulation of what it returns, timed together when profiling.
            Profiler.backward(node.op) {
                let inputGrads = node.backward(g)
                t.node = nil
                for (input, gi) in zip(node.inputs, inputGrads) where input.requiresGrad {
                    guard let gi else { continue }
                    precondition(gi.shape == input.shape, "\(node.op): gradient \(gi.shape) for input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    if let existing = grads[key] { grads[key] = existing.addingRaw(gi) } else { grads[key] = gi }
                }
            }
        }
    }

    /// Adds `g` into `grad` (a leaf's accumulated gradient), copying on first use.
    func accumulateGrad(_ g: Tensor) {
        if let grad { grad.addInPlace(g) } else { grad = g.copy() }
    }

    /// Tensors reachable through recorded nodes, inputs before the results computed from them.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (t, next) = stack.popLast() {
            let inputs = t.node?.inputs ?? []
            if next < inputs.count {
                stack.append((t, next + 1))
                let child = inputs[next]
                if child.requiresGrad, visited.insert(ObjectIdentifier(child)).inserted { stack.append((child, 0)) }
            } else {
                order.append(t)
            }
        }
        return order
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() { grad = nil }
}
