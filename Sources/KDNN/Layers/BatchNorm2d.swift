// BatchNorm2d: batch normalisation with trainable γ (`weight`), β (`bias`) and running statistics
// (`running_mean`, `running_var`, `num_batches_tracked`) named as in PyTorch; momentum 0.1, eps 1e-5.

import KDTensor

/// Per-channel batch normalisation; `callAsFunction(x, ctx, relu:)` can fuse the following ReLU.
public final class BatchNorm2d: Layer {
    public let state: BatchNormState
    /// Training batches seen (PyTorch's `num_batches_tracked`, saved as I64 so strict loading works there).
    public let batchesTracked = Tensor.zeros([])
    public let momentum: Float = 0.1
    public let eps: Float = 1e-5

    public init(_ channels: Int) {
        state = BatchNormState(
            weight: .ones([channels]), bias: .zeros([channels]),
            runningMean: .zeros([channels]), runningVar: .ones([channels]))
        state.weight.requiresGrad = true
        state.bias.requiresGrad = true
    }

    /// Normalises `x` `[N, C, H, W]` (batch statistics in training, running ones in evaluation; batch
    /// statistics without touching the running ones under `frozenBatchStatistics`: momentum 0 keeps them).
    public func callAsFunction(_ x: Tensor, _ context: ForwardContext, relu: Bool = false) -> Tensor {
        if context.training { batchesTracked.data[0] += 1 }
        return batchNorm(
            x, state, training: context.usesBatchStatistics, momentum: context.training ? momentum : 0, eps: eps, relu: relu)
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        [
            NamedTensor(prefix + "weight", state.weight), NamedTensor(prefix + "bias", state.bias),
            NamedTensor(prefix + "running_mean", state.runningMean, .buffer),
            NamedTensor(prefix + "running_var", state.runningVar, .buffer),
            NamedTensor(prefix + "num_batches_tracked", batchesTracked, .buffer),
        ]
    }
}
