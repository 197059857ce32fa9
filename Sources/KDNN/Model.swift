// Model: what every zoo network offers: its spec (zoo name, input shape, classes), a forward pass
// returning logits plus the named feature taps of docs/models.md, and its FLOP count.

import KDTensor

/// Identifies a zoo model and the data it is built for.
public struct ModelSpec: Codable, Equatable, Sendable {
    /// Zoo name (`resnet20`, `lenet5`, `mlp-800-800`, `wrn-16-2`).
    public var name: String
    /// Input `[C, H, W]`.
    public var inputShape: [Int]
    /// Number of classes K.
    public var numClasses: Int
    /// Dropout probability after hidden ReLUs (MLPs only).
    public var dropout: Float
    /// Dropout probability on the classifier's input, any model (Xie et al. 2020's noised student);
    /// training only. For an MLP the classifier's input is its last hidden ReLU: this rate replaces
    /// `dropout` there when set (not both).
    public var headDropout: Float
    /// Survival probability p_L of the last residual block (Huang et al. 2016); 1 turns stochastic depth
    /// off. Residual models only (`Zoo.residualBlockCount`); training only.
    public var stochasticDepth: Float

    public init(
        name: String, inputShape: [Int], numClasses: Int, dropout: Float = 0, headDropout: Float = 0,
        stochasticDepth: Float = 1
    ) {
        self.name = name
        self.inputShape = inputShape
        self.numClasses = numClasses
        self.dropout = dropout
        self.headDropout = headDropout
        self.stochasticDepth = stochasticDepth
    }

    /// This spec without its training-only noise (dropout, head dropout, stochastic depth): the model a
    /// checkpoint is evaluated as.
    public var plain: ModelSpec {
        ModelSpec(name: name, inputShape: inputShape, numClasses: numClasses)
    }
}

/// Logits and every named feature tap of one forward pass.
public struct ModelOutput {
    /// `[N, K]`.
    public let logits: Tensor
    /// Tap name → feature (`layer1` → `[N, 16, 32, 32]`).
    public let taps: [String: Tensor]

    public init(logits: Tensor, taps: [String: Tensor]) {
        self.logits = logits
        self.taps = taps
    }
}

/// A zoo network.
public protocol Model: Layer {
    var spec: ModelSpec { get }
    /// Tap names in network order.
    var tapNames: [String] { get }
    /// Runs `x` `[N, C, H, W]` through the network.
    func forward(_ x: Tensor, _ context: ForwardContext) -> ModelOutput
    /// The state-name prefix of the batch norm a pre-ReLU tap comes from (`layer3.preact` →
    /// `layer3.2.bn2.`: its output is the tap before the shortcut is added); nil for other taps.
    func batchNormPrefix(ofTap name: String) -> String?
    /// The evaluation-mode forward pass as layer-level steps (for exporters); nil when not described.
    var layerGraph: LayerGraph? { get }
}

extension Model {
    public func batchNormPrefix(ofTap name: String) -> String? { nil }
    public var layerGraph: LayerGraph? { nil }
}
