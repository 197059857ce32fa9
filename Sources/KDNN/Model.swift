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

    public init(name: String, inputShape: [Int], numClasses: Int, dropout: Float = 0) {
        self.name = name
        self.inputShape = inputShape
        self.numClasses = numClasses
        self.dropout = dropout
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
}

extension Model {
    public func batchNormPrefix(ofTap name: String) -> String? { nil }
}
