// Adam and AdamW with exactly PyTorch's update (torch.optim.Adam / AdamW): bias-corrected moments,
// eps added outside the square root; Adam's weight decay is L2 (Kingma & Ba, 2015), AdamW's is
// decoupled (Loshchilov & Hutter, 2019).

import Foundation
import KDTensor

/// Adam as in `torch.optim.Adam` (no amsgrad): g += wd·p; m = lerp(m, g, 1−β1); v = β2·v + (1−β2)·g²;
/// p −= lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps).
public class Adam: Optimizer {
    /// Learning rate of the next step.
    public var learningRate: Float
    /// Decay rate of the first moment.
    public let beta1: Double
    /// Decay rate of the second moment.
    public let beta2: Double
    /// Added to the denominator, outside the square root.
    public let eps: Double
    /// Weight decay: added to the gradient (Adam) or shrinking the weights first (AdamW).
    public let weightDecay: Double
    /// Whether weight decay is decoupled (AdamW): p *= 1 − lr·wd before the Adam update.
    public let decoupledWeightDecay: Bool
    private let slots: ParameterSlots

    /// An optimizer over the `.parameter` entries of `parameters` (buffers are ignored).
    public init(
        _ parameters: [NamedTensor], lr: Float = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        eps: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false
    ) {
        learningRate = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        slots = ParameterSlots(parameters, bufferSlots: ["exp_avg", "exp_avg_sq"], countsSteps: true)
    }

    /// Names of the parameters updated, in order.
    public var parameterNames: [String] { slots.names }

    /// One update of every parameter that has a gradient, at `learningRate`.
    public func step() {
        let lrD = Double(learningRate)
        var c = UpdateKernels.AdamCoefficients(
            shrink: Float(1 - lrD * weightDecay), decoupled: decoupledWeightDecay && weightDecay != 0,
            l2: Float(weightDecay), coupled: !decoupledWeightDecay && weightDecay != 0,
            lerpWeight: Float(1 - beta1), beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2),
            stepSize: 0, bc2Sqrt: 1, eps: Float(eps))
        for (i, param) in slots.tensors.enumerated() {
            guard let grad = param.grad else { continue }
            precondition(grad.count == param.count, "Adam: gradient \(grad.shape) for parameter \(param.shape)")
            slots.steps[i] += 1
            let t = Double(slots.steps[i])
            c.stepSize = Float(lrD / (1 - Foundation.pow(beta1, t)))
            c.bc2Sqrt = Float((1 - Foundation.pow(beta2, t)).squareRoot())
            let p = param.data, g = grad.data, m = slots.buffer(0, i).data, v = slots.buffer(1, i).data
            let coefficients = c
            Parallel.chunks(param.count, minPerThread: optimizerGrain) { r in
                UpdateKernels.adam(p, g, m, v, r, coefficients)
            }
        }
    }

    /// Sets every parameter's gradient to nil.
    public func zeroGrad() { slots.zeroGrad() }

    /// `exp_avg.<parameter>`, `exp_avg_sq.<parameter>` and scalar `step.<parameter>` for every
    /// parameter updated so far.
    public func stateTensors() -> [(name: String, tensor: Tensor)] { slots.entries() }

    /// Replaces the state with saved `entries` (validated; nothing changes on error).
    public func loadState(_ entries: [(name: String, tensor: Tensor)], source: String) throws {
        try slots.load(entries, source: source)
    }
}

/// AdamW as in `torch.optim.AdamW`: Adam with decoupled weight decay (default 0.01).
public final class AdamW: Adam {
    /// An AdamW optimizer over the `.parameter` entries of `parameters`.
    public init(
        _ parameters: [NamedTensor], lr: Float = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        eps: Double = 1e-8, weightDecay: Double = 1e-2
    ) {
        super.init(
            parameters, lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay,
            decoupledWeightDecay: true)
    }
}
