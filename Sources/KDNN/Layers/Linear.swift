// Linear: a fully connected layer `y = x·Wᵀ + b` with PyTorch's parameter names and layout.

import KDTensor

/// Fully connected layer: weight `[out, in]`, bias `[out]`.
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias hasBias: Bool = true, rng: inout SeededGenerator) {
        weight = Initialization.uniformFanIn([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng)
        bias = hasBias ? Initialization.uniformFanIn([outFeatures], fanIn: inFeatures, rng: &rng) : nil
        weight.requiresGrad = true
        bias?.requiresGrad = true
    }

    /// x `[N, in]` → `[N, out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        FlopCounter.add(x.shape[0] * weight.count)
        return linear(x, weight: weight, bias: bias)
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        [NamedTensor(prefix + "weight", weight)] + (bias.map { [NamedTensor(prefix + "bias", $0)] } ?? [])
    }
}
