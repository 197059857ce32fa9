// FakeQuantize: quantization-aware training's op (Jacob et al. 2018): the forward pass rounds to the int8
// grid of Int8Scheme and back; the backward pass is the straight-through estimator (Bengio et al. 2013).

extension QuantParams {
    /// Int8Scheme's parameters for the range an observer holds (`Int8Scheme.activationParams`).
    public init(activationRange lo: Float, _ hi: Float) { self = Int8Scheme.activationParams(min: lo, max: hi) }
}

/// `p.fakeQuantize(x)` elementwise (an activation, one parameter set per tensor). Gradient: passed unchanged
/// where `p.isInRange(x)`, 0 where the value was clamped; no gradient reaches the parameters.
public func fakeQuantize(_ x: Tensor, _ p: QuantParams) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    FakeQuantKernels.fakeQuantize(x.data, out.data, x.count, p)
    let saved = x.detached()
    return out.recorded(.fakeQuantize, [x]) { g in
        let gx = Tensor(uninitialized: g.shape)
        FakeQuantKernels.passMask(g.data, saved.data, gx.data, g.count, p)
        return [gx]
    }
}

/// Fake quantization of a weight `[O, ...]` per output channel (axis 0): row c with `params[c]`
/// (`Int8Scheme.weightParams`, recomputed from the weights by the caller each step, so no gradient flows
/// through the scales). Gradient: the straight-through estimator of each row.
public func fakeQuantize(_ w: Tensor, perChannel params: [QuantParams]) -> Tensor {
    precondition(!params.isEmpty && w.shape[0] == params.count, "fakeQuantize: \(params.count) channels for \(w.shape)")
    let per = w.count / params.count
    let out = Tensor(uninitialized: w.shape)
    FakeQuantKernels.fakeQuantizePerChannel(w.data, out.data, per: per, params)
    let saved = w.detached()
    return out.recorded(.fakeQuantize, [w]) { g in
        let gw = Tensor(uninitialized: g.shape)
        FakeQuantKernels.passMaskPerChannel(g.data, saved.data, gw.data, per: per, params)
        return [gw]
    }
}

extension Int8Scheme {
    /// Per-output-channel parameters of a weight tensor `[O, ...]`, read from its buffer.
    public static func weightParams(of w: Tensor) -> [QuantParams] {
        let channels = w.shape[0]
        return FakeQuantKernels.maxAbsPerRow(w.data, channels: channels, per: w.count / channels).map {
            weightParams(maxAbs: $0)
        }
    }
}
