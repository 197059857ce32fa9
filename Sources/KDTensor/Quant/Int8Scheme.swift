// Int8Scheme: kdistill's one int8 rule, shared by post-training quantization, fake quantization in
// training and ONNX QDQ export: int8 weights symmetric per output channel, uint8 activations per tensor.

/// The affine map between reals and integers `real = scale · (q − zeroPoint)`, `q ∈ [qmin, qmax]`.
public struct QuantParams: Equatable, Sendable {
    public var scale: Float
    public var zeroPoint: Int32
    public var qmin: Int32
    public var qmax: Int32

    public init(scale: Float, zeroPoint: Int32, qmin: Int32, qmax: Int32) {
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.qmin = qmin
        self.qmax = qmax
    }

    /// `clamp(round(x / scale) + zeroPoint, qmin, qmax)`, ties to even as ONNX QuantizeLinear rounds.
    @inline(__always)
    public func quantize(_ x: Float) -> Int32 {
        let q = (x / scale).rounded(.toNearestOrEven) + Float(zeroPoint)
        return Int32(min(max(q, Float(qmin)), Float(qmax)))
    }

    /// `scale · (q − zeroPoint)`.
    @inline(__always)
    public func dequantize(_ q: Int32) -> Float { scale * Float(q - zeroPoint) }

    /// `dequantize(quantize(x))`: the value an int8 model computes with in place of `x`.
    @inline(__always)
    public func fakeQuantize(_ x: Float) -> Float { dequantize(quantize(x)) }

    /// Whether `x` lies inside the representable range (where the straight-through estimator passes
    /// the gradient); outside it the clamp is flat.
    @inline(__always)
    public func isInRange(_ x: Float) -> Bool {
        let q = (x / scale).rounded(.toNearestOrEven) + Float(zeroPoint)
        return q >= Float(qmin) && q <= Float(qmax)
    }
}

/// The int8 scheme (Jacob et al. 2018, "Quantization and Training of Neural Networks for Efficient
/// Integer-Arithmetic-Only Inference"; the fbgemm/ONNX Runtime convention):
/// - weights of every conv and linear layer: int8, symmetric (zero point 0) per output channel, range
///   [−127, 127] (−128 unused, so u8·s8 pair sums stay inside int16 twice over and negation is exact),
///   `scale_c = max|w_c| / 127`. Because the scale is per output channel, quantizing a conv before or after
///   folding its batch norm (a positive or negative factor per channel) gives the same integers.
/// - activations, the input of every conv and linear layer in the model's own (normalised) input space:
///   uint8, per tensor, asymmetric, from an observed range `[lo, hi]` widened to contain 0 so that zero
///   (padding, ReLU's floor) is exact: `scale = (hi − lo) / 255`, `zeroPoint = round(−lo / scale)`.
/// - biases: int32 at scale `scale_x · scale_w,c`, zero point 0, added to the int32 accumulator.
public enum Int8Scheme {
    /// The largest weight magnitude in integers.
    public static let weightMax: Int32 = 127
    /// The smallest scale used, so an all-zero channel or a constant activation still has a valid map.
    public static let minimumScale: Float = 1e-8

    /// Per-output-channel parameters of a weight stored row-major `[outChannels, rest...]`.
    public static func weightParams(_ weights: [Float], outChannels: Int) -> [QuantParams] {
        precondition(outChannels > 0 && weights.count % outChannels == 0, "weights do not split into channels")
        let per = weights.count / outChannels
        return (0..<outChannels).map { c in
            var m: Float = 0
            for i in c * per..<(c + 1) * per { m = max(m, abs(weights[i])) }
            return weightParams(maxAbs: m)
        }
    }

    /// Symmetric int8 parameters for a channel whose largest magnitude is `maxAbs`.
    public static func weightParams(maxAbs: Float) -> QuantParams {
        QuantParams(
            scale: max(maxAbs / Float(weightMax), minimumScale), zeroPoint: 0, qmin: -weightMax, qmax: weightMax)
    }

    /// Asymmetric uint8 parameters for activations observed in `[lo, hi]` (widened to contain 0).
    public static func activationParams(min lo: Float, max hi: Float) -> QuantParams {
        let lower = min(lo, 0), upper = max(hi, 0)
        let scale = max((upper - lower) / 255, minimumScale)
        let zeroPoint = Int32(min(max((-lower / scale).rounded(.toNearestOrEven), 0), 255))
        return QuantParams(scale: scale, zeroPoint: zeroPoint, qmin: 0, qmax: 255)
    }

    /// Int32 bias for output channel `c`: `round(bias / (scaleX · scaleW))`.
    public static func quantizedBias(_ bias: Float, inputScale: Float, weightScale: Float) -> Int32 {
        let q = (bias / (inputScale * weightScale)).rounded(.toNearestOrEven)
        return Int32(min(max(q, Float(Int32.min / 2)), Float(Int32.max / 2)))
    }
}
