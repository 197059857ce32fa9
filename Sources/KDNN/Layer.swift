// Layer: the protocol every layer and model implements: named parameters and buffers (PyTorch
// state_dict names), and the context a forward pass runs in (train/eval mode, dropout generator).

import KDTensor

/// Whether a named tensor is trained (parameter) or only updated by the forward pass (buffer).
public enum TensorRole: Sendable {
    case parameter
    case buffer
}

/// A tensor of a layer, named as in a PyTorch `state_dict` (`layer1.0.conv1.weight`).
public struct NamedTensor {
    public let name: String
    public let tensor: Tensor
    public let role: TensorRole

    public init(_ name: String, _ tensor: Tensor, _ role: TensorRole = .parameter) {
        self.name = name
        self.tensor = tensor
        self.role = role
    }
}

/// Anything with named state: layers, blocks and whole models.
public protocol Layer: AnyObject {
    /// Every parameter and buffer, in a fixed order, named under `prefix` (`""` or `"layer1.0."`).
    func namedTensors(prefix: String) -> [NamedTensor]
}

extension Layer {
    /// All parameters and buffers with their full names.
    public var state: [NamedTensor] { namedTensors(prefix: "") }
    /// Trainable tensors only (what an optimizer updates).
    public var parameters: [Tensor] { state.filter { $0.role == .parameter }.map(\.tensor) }
    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.grad = nil } }
}

/// How a forward pass runs: training mode (batch statistics, dropout on) or evaluation.
public final class ForwardContext {
    /// Batch norm uses batch statistics and updates running averages; dropout is active.
    public var training: Bool
    /// Source of dropout masks.
    public var rng: SeededGenerator
    /// Outside training: batch norm still normalises with the batch's statistics, but leaves the running
    /// averages untouched and dropout stays off (a frozen teacher in `teacher_bn: batch`, ofd).
    public var frozenBatchStatistics = false

    /// Whether batch norm normalises with the batch's statistics.
    public var usesBatchStatistics: Bool { training || frozenBatchStatistics }

    public init(training: Bool, seed: UInt64 = 0) {
        self.training = training
        self.rng = SeededGenerator(seed: seed)
    }

    /// Evaluation mode: running statistics, no dropout.
    public static var eval: ForwardContext { ForwardContext(training: false) }
}
