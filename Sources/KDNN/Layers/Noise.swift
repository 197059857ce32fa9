// Noise: the training-only perturbations of a noised student (Xie et al. 2020): dropout on the
// classifier's input and stochastic depth of residual blocks (Huang et al. 2016). Eval mode is plain.

import KDTensor

/// Dropout on the classifier's input `x` `[N, F]`: active only in training and when `p > 0`; masks come
/// from `context.rng` (reproducible, saved in resume states).
public func headDropout(_ x: Tensor, p: Float, _ context: ForwardContext) -> Tensor {
    context.training && p > 0 ? dropout(x, p: p, rng: &context.rng) : x
}

/// Stochastic depth (Huang et al. 2016) in the per-sample drop-connect form of EfficientNet.
public enum StochasticDepth {
    /// Survival probability of residual block `block` (1-based, forward order) of `count`, when the last one
    /// survives with `last`: `p_l = 1 − (l/L)(1 − p_L)` (linear decay; the stem's input would be p_0 = 1).
    public static func survival(block: Int, of count: Int, last: Float) -> Float {
        precondition(block >= 1 && block <= count, "block \(block) outside 1...\(count)")
        return 1 - Float(block) / Float(count) * (1 - last)
    }

    /// Per-sample keep factors `[N, 1, 1, 1]`: `1/p` with probability `p`, else 0 (N draws from `rng`).
    public static func mask(batch n: Int, survival p: Float, rng: inout SeededGenerator) -> Tensor {
        let m = Tensor(uninitialized: [n, 1, 1, 1])
        for i in 0..<n { m.data[i] = rng.uniform() < p ? 1 / p : 0 }
        return m
    }

    /// The residual branch `branch` `[N, C, H, W]` as training sees it: each sample's branch kept with
    /// probability `p` and scaled by 1/p, or zeroed; unchanged in eval mode or when `p == 1`.
    public static func apply(_ branch: Tensor, survival p: Float, _ context: ForwardContext) -> Tensor {
        guard context.training, p < 1 else { return branch }
        return branch * mask(batch: branch.shape[0], survival: p, rng: &context.rng)
    }
}
