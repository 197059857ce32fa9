// SGD: stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, with
// exactly PyTorch's update (torch.optim.SGD, dampening 0; Sutskever et al., 2013 for Nesterov).

import KDTensor

/// SGD as in `torch.optim.SGD` (dampening 0):
/// d = g + wd·p; buf = d on the first step, else momentum·buf + d; d = nesterov ? d + momentum·buf : buf;
/// p -= lr·d.
public final class SGD: Optimizer {
    /// Learning rate of the next step.
    public var learningRate: Float
    /// Momentum factor (0: plain SGD, no buffer kept).
    public let momentum: Double
    /// Nesterov momentum (needs momentum > 0).
    public let nesterov: Bool
    /// L2 penalty added to the gradient before momentum.
    public let weightDecay: Double
    private let slots: ParameterSlots

    /// An optimizer over the `.parameter` entries of `parameters` (buffers are ignored).
    public init(
        _ parameters: [NamedTensor], lr: Float, momentum: Double = 0, nesterov: Bool = false,
        weightDecay: Double = 0
    ) {
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0")
        learningRate = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        slots = ParameterSlots(parameters, bufferSlots: momentum == 0 ? [] : ["momentum_buffer"], countsSteps: false)
    }

    /// Names of the parameters updated, in order.
    public var parameterNames: [String] { slots.names }

    /// One update of every parameter that has a gradient, at `learningRate`.
    public func step() {
        let lr = learningRate, wd = Float(weightDecay), mu = Float(momentum)
        let hasDecay = weightDecay != 0, useMomentum = momentum != 0, nest = nesterov
        for (i, param) in slots.tensors.enumerated() {
            guard let grad = param.grad else { continue }
            precondition(grad.count == param.count, "SGD: gradient \(grad.shape) for parameter \(param.shape)")
            let p = param.data, g = grad.data, n = param.count
            guard useMomentum else {
                Parallel.chunks(n, minPerThread: optimizerGrain) { r in
                    UpdateKernels.sgd(p, g, r, lr: lr, wd: wd, decay: hasDecay)
                }
                continue
            }
            let first = slots.buffers[0][i] == nil
            let b = slots.buffer(0, i).data
            Parallel.chunks(n, minPerThread: optimizerGrain) { r in
                UpdateKernels.sgdMomentum(p, g, b, r, lr: lr, wd: wd, decay: hasDecay, mu: mu, first: first, nesterov: nest)
            }
        }
    }

    /// Sets every parameter's gradient to nil.
    public func zeroGrad() { slots.zeroGrad() }

    /// `momentum_buffer.<parameter>` for every parameter updated so far (none without momentum).
    public func stateTensors() -> [(name: String, tensor: Tensor)] { slots.entries() }

    /// Replaces the state with saved `entries` (validated; nothing changes on error).
    public func loadState(_ entries: [(name: String, tensor: Tensor)], source: String) throws {
        try slots.load(entries, source: source)
    }
}
