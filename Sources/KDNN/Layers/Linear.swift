// Linear: a fully connected layer `y = x·Wᵀ + b` with PyTorch's parameter names and layout.

import KDTensor

/// Fully connected layer: weight `[out, in]`, bias `[out]`.
public final class Linear: Layer, FakeQuantizable {
    public let weight: Tensor
    public let bias: Tensor?
    /// Fake quantization of input and weight (quantization-aware training); nil: float.
    public var fakeQuant: FakeQuantPoint?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias hasBias: Bool = true, rng: inout SeededGenerator) {
        weight = Initialization.uniformFanIn([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng)
        bias = hasBias ? Initialization.uniformFanIn([outFeatures], fanIn: inFeatures, rng: &rng) : nil
        weight.requiresGrad = true
        bias?.requiresGrad = true
    }

    /// x `[N, in]` → `[N, out]`; `context` tells a fake-quantized layer whether to observe.
    public func callAsFunction(_ x: Tensor, _ context: ForwardContext? = nil) -> Tensor {
        FlopCounter.add(x.shape[0] * weight.count)
        let (input, w) = quantized(x, context)
        return linear(input, weight: w, bias: bias)
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        [NamedTensor(prefix + "weight", weight)] + (bias.map { [NamedTensor(prefix + "bias", $0)] } ?? [])
    }
}
