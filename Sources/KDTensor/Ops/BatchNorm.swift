// BatchNorm: batch normalisation over the channels of `[N, C, H, W]` (Ioffe & Szegedy 2015), with
// PyTorch's running-average update (momentum 0.1, unbiased variance) and an optional fused ReLU.

/// The per-channel tensors of a batch-norm layer: γ, β (trainable) and running statistics.
public struct BatchNormState {
    public let weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor
    public init(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor) {
        (self.weight, self.bias, self.runningMean, self.runningVar) = (weight, bias, runningMean, runningVar)
    }
}

/// Batch norm of `x` `[N, C, H, W]` (or `[N, C]`). Training mode normalises with batch statistics and
/// updates the running averages in place; evaluation mode uses the running statistics.
/// With `relu`, returns max(bn(x), 0) in one pass (the op is then recorded as `Op.batchNormReLU`).
public func batchNorm(
    _ x: Tensor, _ s: BatchNormState, training: Bool, momentum: Float = 0.1,
    eps: Float = 1e-5, relu: Bool = false
) -> Tensor {
    precondition(
        (x.rank == 4 || x.rank == 2) && x.shape[1] == s.weight.count, "batchNorm: input \(x.shape) vs \(s.weight.count) channels")
    let (n, c) = (x.shape[0], x.shape[1])
    let hw = x.rank == 4 ? x.shape[2] * x.shape[3] : 1
    let y = Tensor(uninitialized: x.shape)
    let mean = Tensor(uninitialized: [c]), invStd = Tensor(uninitialized: [c]), affine = Tensor(uninitialized: [c, 2])
    if training {
        precondition(n * hw > 1, "batchNorm: training needs more than one value per channel, got \(x.shape)")
        let variance = Tensor(uninitialized: [c])
        BatchNormKernels.trainingForward(
            x: x.data, gamma: s.weight.data, beta: s.bias.data, y: y.data, mean: mean.data,
            invStd: invStd.data, variance: variance.data, affine: affine.data, n: n, c: c, hw: hw, eps: eps,
            relu: relu)
        let m = Float(n * hw), unbias = m / (m - 1)
        for ch in 0..<c {
            s.runningMean.data[ch] = (1 - momentum) * s.runningMean.data[ch] + momentum * mean.data[ch]
            s.runningVar.data[ch] = (1 - momentum) * s.runningVar.data[ch] + momentum * variance.data[ch] * unbias
        }
    } else {
        BatchNormKernels.inferenceForward(
            x: x.data, gamma: s.weight.data, beta: s.bias.data, runningMean: s.runningMean.data,
            runningVar: s.runningVar.data, y: y.data, affine: affine.data, n: n, c: c, hw: hw,
            eps: eps, relu: relu)
        for ch in 0..<c {
            mean.data[ch] = s.runningMean.data[ch]
            invStd.data[ch] = 1 / (s.runningVar.data[ch] + eps).squareRoot()
        }
    }
    let (sx, gamma) = (x.detached(), s.weight.detached())
    return y.recorded(relu ? .batchNormReLU : .batchNorm, [x, s.weight, s.bias]) { dy in
        let dx = x.requiresGrad ? Tensor(uninitialized: sx.shape) : nil
        let dGamma = Tensor(uninitialized: [c]), dBeta = Tensor(uninitialized: [c])
        BatchNormKernels.backward(
            x: sx.data, dy: dy.data, gamma: gamma.data, mean: mean.data, invStd: invStd.data,
            affine: affine.data, relu: relu, dx: dx?.data, dGamma: dGamma.data, dBeta: dBeta.data,
            n: n, c: c, hw: hw, training: training)
        return [dx, dGamma, dBeta]
    }
}
