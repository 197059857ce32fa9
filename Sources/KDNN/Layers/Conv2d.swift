// Conv2d: a 2-D convolution layer with PyTorch's parameter names (`weight [out, in, kh, kw]`, `bias`).

import KDTensor

/// Square-kernel convolution with stride and zero padding.
public final class Conv2d: Layer, FakeQuantizable {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int
    /// Fake quantization of input and weight (quantization-aware training); nil: float.
    public var fakeQuant: FakeQuantPoint?

    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
        bias hasBias: Bool = false, rng: inout SeededGenerator
    ) {
        weight = Initialization.kaimingNormalFanOut([outChannels, inChannels, kernel, kernel], rng: &rng)
        bias = hasBias ? Initialization.uniformFanIn([outChannels], fanIn: inChannels * kernel * kernel, rng: &rng) : nil
        weight.requiresGrad = true
        bias?.requiresGrad = true
        self.stride = stride
        self.padding = padding
    }

    /// x `[N, in, H, W]` → `[N, out, Ho, Wo]`; `context` tells a fake-quantized layer whether to observe.
    public func callAsFunction(_ x: Tensor, _ context: ForwardContext? = nil) -> Tensor {
        let (input, w) = quantized(x, context)
        let y = conv2d(input, weight: w, bias: bias, stride: stride, padding: padding)
        FlopCounter.add(x.shape[0] * weight.count * y.shape[2] * y.shape[3])
        return y
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        [NamedTensor(prefix + "weight", weight)] + (bias.map { [NamedTensor(prefix + "bias", $0)] } ?? [])
    }
}
