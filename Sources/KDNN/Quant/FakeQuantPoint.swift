// FakeQuantPoint: one quantization point of quantization-aware training, the input and weight of one conv
// or linear layer: a moving-average min/max observer of the input and Int8Scheme's fake quantization.

import KDTensor

/// The fake-quantization state of one conv or linear layer, named by its LayerGraph prefix (`layer1.0.conv1.`).
public final class FakeQuantPoint {
    /// The averaging constant of the observer's exponential moving average (PyTorch's
    /// MovingAverageMinMaxObserver default): `lo ← lo + 0.01·(batch min − lo)`, likewise `hi`.
    public static let averagingConstant: Float = 0.01

    /// The layer's state-dict prefix, as LayerGraph's conv and linear steps name it.
    public let prefix: String
    /// `[2]`: the observed input range (lo, hi); (+∞, −∞) until the first training batch initialises it.
    /// Part of the resume state, restored bit for bit.
    public let observer: Tensor

    public init(prefix: String) {
        self.prefix = prefix
        observer = Tensor(shape: [2], scalars: [.infinity, -.infinity])
    }

    /// The observed range, nil before any training batch.
    public var range: (lo: Float, hi: Float)? {
        get { observer.data[0] <= observer.data[1] ? (observer.data[0], observer.data[1]) : nil }
        set {
            observer.data[0] = newValue?.lo ?? .infinity
            observer.data[1] = newValue?.hi ?? -.infinity
        }
    }

    /// Folds one batch's min and max into the moving average (the first batch sets it).
    func observe(_ x: Tensor) {
        guard x.count > 0 else { return }
        let (a, b) = FakeQuantKernels.minMax(x.data, x.count)
        guard let (lo, hi) = range else {
            range = (a, b)
            return
        }
        let c = Self.averagingConstant
        range = (lo + c * (a - lo), hi + c * (b - hi))
    }

    /// The layer's input as the int8 model reads it: in a training pass the observer first takes in the batch;
    /// then the input is fake-quantized with the observed range (left as is before any range was observed).
    public func input(_ x: Tensor, _ context: ForwardContext?) -> Tensor {
        if context?.training == true { observe(x) }
        guard let (lo, hi) = range else { return x }
        return fakeQuantize(x, Int8Scheme.activationParams(min: lo, max: hi))
    }

    /// The weight `[O, ...]` fake-quantized per output channel with scales from its current values.
    public func weight(_ w: Tensor) -> Tensor { fakeQuantize(w, perChannel: Int8Scheme.weightParams(of: w)) }
}

/// A layer with a weight whose input and weight can be fake-quantized (Conv2d, Linear).
public protocol FakeQuantizable: AnyObject {
    /// `[O, ...]`, output channels first.
    var weight: Tensor { get }
    /// The layer's fake-quantization state; nil (the default) runs it in float at no cost.
    var fakeQuant: FakeQuantPoint? { get set }
}

extension FakeQuantizable {
    /// The input and weight the layer computes with: fake-quantized when the layer has a point, else as given.
    @inline(__always)
    func quantized(_ x: Tensor, _ context: ForwardContext?) -> (Tensor, Tensor) {
        guard let point = fakeQuant else { return (x, weight) }
        return (point.input(x, context), point.weight(weight))
    }
}
