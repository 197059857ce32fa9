// LayerGraph: a model's evaluation-mode forward pass as a small graph of layer-level steps over its
// named state tensors, for exporters that lower it to another format (ONNX, KDExport). Each zoo
// model's graph is in Zoo/ZooLayerGraphs.swift; the export tests run it against `forward`.

/// A network as layer-level steps: value 0 is the input `[N, C, H, W]`, node i produces value i + 1.
public struct LayerGraph: Sendable {
    /// One layer-level operation; its tensors are named by their state-dict prefix (`layer1.0.conv1.`).
    public enum Step: Equatable, Sendable {
        /// `prefix weight [O, I, k, k]` and `prefix bias [O]` when present; stride and zero padding.
        case conv(prefix: String, stride: Int, padding: Int)
        /// Batch norm with running statistics (`prefix weight, bias, running_mean, running_var`).
        case batchNorm(prefix: String, eps: Float)
        /// `x·Wᵀ + b` on `[N, I]`: `prefix weight [O, I]`, `prefix bias [O]` when present.
        case linear(prefix: String)
        /// max(x, 0).
        case relu
        /// The elementwise sum of two values of one shape.
        case add
        /// Max pooling over `kernel`x`kernel` windows with stride `stride`, no padding.
        case maxPool(kernel: Int, stride: Int)
        /// `[N, C, H, W]` → `[N, C]`, the mean over each plane.
        case globalAvgPool
        /// `[N, ...]` → `[N, product]`.
        case flatten
    }

    /// A value of the graph: the input (id 0) or a node's output (id i + 1 for node i).
    public struct Value: Hashable, Sendable {
        public let id: Int
    }

    /// A step applied to earlier values.
    public struct Node: Sendable {
        public let step: Step
        public let inputs: [Value]
    }

    /// The nodes in evaluation order.
    public private(set) var nodes: [Node] = []
    /// The value holding the logits `[N, K]`.
    public var output = Value(id: 0)

    /// An empty graph (its output is its input).
    public init() {}

    /// The network's input `[N, C, H, W]`.
    public var input: Value { Value(id: 0) }

    /// Appends `step` applied to `inputs`; returns its output.
    @discardableResult
    public mutating func add(_ step: Step, _ inputs: Value...) -> Value {
        nodes.append(Node(step: step, inputs: inputs))
        return Value(id: nodes.count)
    }

    /// The node producing `value` (nil for the input).
    public func producer(of value: Value) -> Node? { value.id == 0 ? nil : nodes[value.id - 1] }

    /// How many node inputs (plus the graph output) read each value, indexed by value id.
    public var useCounts: [Int] {
        var counts = [Int](repeating: 0, count: nodes.count + 1)
        for node in nodes { for v in node.inputs { counts[v.id] += 1 } }
        counts[output.id] += 1
        return counts
    }
}

extension LayerGraph {
    /// `conv` with its stride and padding, named by `prefix`.
    mutating func conv(_ x: Value, _ conv: Conv2d, _ prefix: String) -> Value {
        add(.conv(prefix: prefix, stride: conv.stride, padding: conv.padding), x)
    }

    /// `bn` in evaluation mode, named by `prefix`.
    mutating func batchNorm(_ x: Value, _ bn: BatchNorm2d, _ prefix: String) -> Value {
        add(.batchNorm(prefix: prefix, eps: bn.eps), x)
    }
}
