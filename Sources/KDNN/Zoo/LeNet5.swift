// LeNet5: LeCun et al. 1998 in its common modern form: conv 5x5 (pad 2) → ReLU → maxpool 2 →
// conv 5x5 → ReLU → maxpool 2 → fc 120 → fc 84 → fc K, every layer with bias.

import KDTensor

/// LeNet-5; taps `conv1` (after pooling), `conv2`, `fc1`, `fc2`, `logits`.
public final class LeNet5: Model {
    public let spec: ModelSpec
    let conv1: Conv2d, conv2: Conv2d, fc1: Linear, fc2: Linear, fc3: Linear

    public init(spec: ModelSpec, rng: inout SeededGenerator) {
        self.spec = spec
        let (c, h, w) = (spec.inputShape[0], spec.inputShape[1], spec.inputShape[2])
        conv1 = Conv2d(c, 6, kernel: 5, padding: 2, bias: true, rng: &rng)
        conv2 = Conv2d(6, 16, kernel: 5, bias: true, rng: &rng)
        let flat = 16 * ((h / 2 - 4) / 2) * ((w / 2 - 4) / 2)
        fc1 = Linear(flat, 120, rng: &rng)
        fc2 = Linear(120, 84, rng: &rng)
        fc3 = Linear(84, spec.numClasses, rng: &rng)
    }

    public var tapNames: [String] { ["conv1", "conv2", "fc1", "fc2", "logits"] }

    public func forward(_ x: Tensor, _ context: ForwardContext) -> ModelOutput {
        // max-pool then ReLU: the same values as ReLU then pool (both monotone), on a quarter of the data.
        let c1 = maxPool2d(conv1(x, context), kernel: 2).relu()  // [N, 6, 14, 14] on 28x28
        let c2 = maxPool2d(conv2(c1, context), kernel: 2).relu()  // [N, 16, 5, 5]
        let f1 = fc1(c2.flattened(), context).relu()  // [N, 120]
        let f2 = fc2(f1, context).relu()  // [N, 84]
        let logits = fc3(headDropout(f2, p: spec.headDropout, context), context)  // [N, K]
        return ModelOutput(logits: logits, taps: ["conv1": c1, "conv2": c2, "fc1": f1, "fc2": f2, "logits": logits])
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        conv1.namedTensors(prefix: prefix + "conv1.") + conv2.namedTensors(prefix: prefix + "conv2.")
            + fc1.namedTensors(prefix: prefix + "fc1.") + fc2.namedTensors(prefix: prefix + "fc2.")
            + fc3.namedTensors(prefix: prefix + "fc3.")
    }
}
