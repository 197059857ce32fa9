// MLP: `mlp-H1-H2-...` (Hinton et al. 2015's teacher mlp-1200-1200 and student mlp-800-800): the input
// flattened, `fc1 … fc{L+1}`, ReLU (and optional dropout) after each hidden layer; `head_dropout`, when
// set, is the rate after the last one.

import KDTensor

/// Multi-layer perceptron; taps `hidden1 … hiddenL` (after ReLU) and `logits`.
public final class MLP: Model {
    public let spec: ModelSpec
    public let layers: [Linear]

    public init(spec: ModelSpec, hidden: [Int], rng: inout SeededGenerator) {
        self.spec = spec
        let sizes = [spec.inputShape.product] + hidden + [spec.numClasses]
        var layers: [Linear] = []
        for i in 0..<(sizes.count - 1) { layers.append(Linear(sizes[i], sizes[i + 1], rng: &rng)) }
        self.layers = layers
    }

    public var tapNames: [String] { (1..<layers.count).map { "hidden\($0)" } + ["logits"] }

    public func forward(_ x: Tensor, _ context: ForwardContext) -> ModelOutput {
        var h = x.flattened()
        var taps: [String: Tensor] = [:]
        for (i, layer) in layers.enumerated() {
            h = layer(h, context)
            if i < layers.count - 1 {
                h = h.relu()
                taps["hidden\(i + 1)"] = h
                // The last hidden ReLU is the classifier's input: head dropout replaces dropout there when set.
                let head = i == layers.count - 2 && spec.headDropout > 0
                let p = head ? spec.headDropout : spec.dropout
                if context.training && p > 0 { h = dropout(h, p: p, rng: &context.rng) }
            }
        }
        taps["logits"] = h
        return ModelOutput(logits: h, taps: taps)
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        layers.enumerated().flatMap { i, l in l.namedTensors(prefix: prefix + "fc\(i + 1).") }
    }
}
