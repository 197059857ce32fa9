// VIDRegressor: the trainable part of one VID pair (Ahn et al. 2019): the mean μ predicted from the
// student's map by three 1x1 convolutions with ReLUs between (no bias, PyTorch's default init), and a
// per-channel θ whose softplus (+ 1e-5) is the Gaussian's variance, starting at 5.

import Foundation
import KDNN
import KDTensor

/// `conv1.weight [C_t, C_s, 1, 1]`, `conv2.weight`, `conv3.weight [C_t, C_t, 1, 1]`, `log_scale [C_t]` (θ).
public final class VIDRegressor: Layer {
    public let conv1: Tensor, conv2: Tensor, conv3: Tensor
    /// θ `[C_t]`; σ²_c = softplus(θ_c) + 1e-5.
    public let theta: Tensor

    /// θ so that σ² = 5 at the start: log(e^{5 − 1e-5} − 1) ≈ 4.99323.
    public static let initialTheta = Float(log(exp(5.0 - 1e-5) - 1))

    public init(studentChannels cs: Int, teacherChannels ct: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        conv1 = Initialization.uniformFanIn([ct, cs, 1, 1], fanIn: cs, rng: &rng)
        conv2 = Initialization.uniformFanIn([ct, ct, 1, 1], fanIn: ct, rng: &rng)
        conv3 = Initialization.uniformFanIn([ct, ct, 1, 1], fanIn: ct, rng: &rng)
        theta = Tensor(shape: [ct], scalars: [Float](repeating: Self.initialTheta, count: ct))
        for t in [conv1, conv2, conv3, theta] { t.requiresGrad = true }
    }

    /// μ `[B, C_t, H, W]` of a student map `[B, C_s, H, W]`.
    public func mean(_ x: Tensor) -> Tensor {
        conv2d(conv2d(conv2d(x, weight: conv1).relu(), weight: conv2).relu(), weight: conv3)
    }

    /// σ² `[C_t]`: softplus(θ) + 1e-5, softplus as max(θ, 0) + log(1 + e^{−|θ|}) (no overflow).
    public func variance() -> Tensor { theta.relu() + ((-theta.abs()).exp() + 1).log() + 1e-5 }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        [
            NamedTensor(prefix + "conv1.weight", conv1), NamedTensor(prefix + "conv2.weight", conv2),
            NamedTensor(prefix + "conv3.weight", conv3), NamedTensor(prefix + "log_scale", theta),
        ]
    }
}
