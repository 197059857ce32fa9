// ONNXGraphBuilder: assembles an ONNX graph one node at a time: unique value names, constant tensors
// (initializers), nodes, and the declared shape of every value (batch dimension first, symbolic or
// fixed). Knows no model: the float exporter uses it, and a quantizing one (QDQ) can too.

/// Builds an `ONNX.Graph`; shapes passed in are per image (without the batch dimension).
public struct ONNXGraphBuilder {
    /// The graph so far.
    public private(set) var graph = ONNX.Graph()
    /// The leading dimension of every activation: `batch` (dynamic) or a fixed size.
    public let batch: ONNX.Dimension
    /// The per-image shape of every activation value by name.
    public private(set) var shapes: [String: [Int]] = [:]
    private var used: Set<String> = []

    /// An empty graph called `name`.
    public init(name: String, batch: ONNX.Dimension) {
        graph.name = name
        self.batch = batch
    }

    /// `base`, or `base_2`, `base_3`, … when taken; reserves the name.
    public mutating func uniqueName(_ base: String) -> String {
        var name = base, k = 1
        while used.contains(name) {
            k += 1
            name = "\(base)_\(k)"
        }
        used.insert(name)
        return name
    }

    /// Declares a graph input of per-image shape `shape`; returns its name.
    public mutating func input(_ base: String, shape: [Int], elementType: ONNX.DataType = .float) -> String {
        let name = uniqueName(base)
        graph.inputs.append(ONNX.ValueInfo(name: name, elementType: elementType, shape: declared(shape)))
        shapes[name] = shape
        return name
    }

    /// Adds a float initializer of full shape `shape` (no batch dimension); returns its name.
    public mutating func constant(_ base: String, shape: [Int], floats: [Float]) -> String {
        precondition(shape.reduce(1, *) == floats.count, "constant \(base): \(floats.count) values for shape \(shape)")
        let name = uniqueName(base)
        graph.initializers.append(ONNX.TensorValue(name: name, shape: shape, floats: floats))
        return name
    }

    /// Adds an initializer given as a tensor (any element type); its name is made unique.
    public mutating func constant(_ tensor: ONNX.TensorValue) -> String {
        var t = tensor
        t.name = uniqueName(tensor.name)
        graph.initializers.append(t)
        return t.name
    }

    /// Appends node `op` reading `inputs`, whose one output (named `base`, made unique; also the node's
    /// name) has per-image shape `shape` (or full shape `shape` when `batched` is false: a node computing
    /// a constant, such as a weight's DequantizeLinear); returns the output's name.
    public mutating func node(
        _ op: String, _ inputs: [String], _ base: String, shape: [Int], attributes: [ONNX.Attribute] = [],
        elementType: ONNX.DataType = .float, batched: Bool = true
    ) -> String {
        let name = uniqueName(base)
        graph.nodes.append(ONNX.Node(op, inputs: inputs, outputs: [name], name: name, attributes: attributes))
        let dims = batched ? declared(shape) : shape.map { ONNX.Dimension.value(Int64($0)) }
        graph.valueInfo.append(ONNX.ValueInfo(name: name, elementType: elementType, shape: dims))
        shapes[name] = shape
        return name
    }

    /// Makes the value `name` a graph output (its declared shape moves from value_info to the outputs).
    public mutating func output(_ name: String) {
        guard let k = graph.valueInfo.firstIndex(where: { $0.name == name }) else { return }
        graph.outputs.append(graph.valueInfo.remove(at: k))
    }

    /// `[batch] + shape` as declared dimensions.
    func declared(_ shape: [Int]) -> [ONNX.Dimension] { [batch] + shape.map { .value(Int64($0)) } }
}
