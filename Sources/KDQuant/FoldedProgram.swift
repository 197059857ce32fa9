// FoldedProgram: a zoo model as KDExport lowers it (batch norms folded into the convolutions, no input
// normalisation: it reads the normalised input as `Model.forward` does), run node by node with a hook
// for the conv and linear layers: float for calibration, int8 for the quantized model.

import KDExport
import KDNN
import KDTensor

/// A model's folded ONNX lowering, runnable with replaceable conv/linear layers.
public struct FoldedProgram {
    /// A conv (`Conv`) or linear (`Gemm`) node with its float folded weights.
    public struct Layer {
        public let name: String
        public let kind: QuantizedLayer.Kind
        public let weight: [Float]
        public let weightShape: [Int]
        public let bias: [Float]?
    }

    public let spec: ModelSpec
    /// The lowered graph (input `[N, C, H, W]` normalised, output logits).
    public let graph: ONNX.Graph
    /// Every initializer as a tensor, by name.
    public let constants: [String: Tensor]
    /// The conv and linear layers by node index.
    public let layers: [Int: Layer]

    /// Lowers `model` (evaluation mode; BN folded where a conv alone feeds it, other BNs kept as nodes).
    public init(model: Model) throws {
        spec = model.spec
        let c = model.spec.inputShape[0]
        let identity = CheckpointMetadata.Normalization(
            mean: [Float](repeating: 0, count: c), std: [Float](repeating: 1, count: c))
        graph = try ONNXExport.model(model, normalization: identity, options: .init(normalization: .nodes)).graph
        var constants: [String: Tensor] = [:]
        for t in graph.initializers {
            guard let v = t.floats else { throw ExportError("initializer '\(t.name)': expected float data") }
            constants[t.name] = Tensor(shape: t.dims.map(Int.init), scalars: v)
        }
        var layers: [Int: Layer] = [:]
        for (k, node) in graph.nodes.enumerated() where node.opType == "Conv" || node.opType == "Gemm" {
            guard node.inputs.count >= 2, let w = constants[node.inputs[1]], node.inputs[1].hasSuffix(".weight") else {
                throw ExportError("\(node.opType) '\(node.name)': expected a constant weight named <layer>.weight")
            }
            let kind: QuantizedLayer.Kind
            if node.opType == "Conv" {
                guard w.rank == 4, w.shape[2] == w.shape[3], case .ints(let s)? = node.attribute("strides"),
                    case .ints(let p)? = node.attribute("pads"), let stride = s.first, let pad = p.first
                else { throw ExportError("Conv '\(node.name)': expected a square kernel, strides and pads") }
                kind = .conv(kernel: w.shape[2], stride: Int(stride), padding: Int(pad))
            } else {
                kind = .linear
            }
            layers[k] = Layer(
                name: String(node.inputs[1].dropLast(".weight".count)), kind: kind, weight: w.scalars, weightShape: w.shape,
                bias: node.inputs.count > 2 ? constants[node.inputs[2]]?.scalars : nil)
        }
        (self.constants, self.layers) = (constants, layers)
    }

    /// The initializers only non-layer nodes read (kept batch norms): what an int8 model still needs in float.
    public var floatConstantNames: [String] {
        var names: [String] = []
        for (k, node) in graph.nodes.enumerated() where layers[k] == nil {
            for name in node.inputs where constants[name] != nil && !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// Runs the graph on `x`; each conv/linear node calls `layer(layer, input)`, every other node is
    /// evaluated in float by the ONNX interpreter with `constants`.
    public func run(
        _ x: Tensor, constants: [String: Tensor]? = nil, layer: (Layer, Tensor) throws -> Tensor
    ) throws -> Tensor {
        var values = constants ?? self.constants
        guard let input = graph.inputs.first?.name, let output = graph.outputs.first?.name else {
            throw ExportError("graph '\(graph.name)': expected an input and an output")
        }
        values[input] = x
        for (k, node) in graph.nodes.enumerated() {
            let read = layers[k] == nil ? node.inputs : Array(node.inputs.prefix(1))  // a layer reads its own weights
            let inputs = try read.map { name in
                guard let t = values[name] else { throw ExportError("node '\(node.name)': input '\(name)' is not computed") }
                return t
            }
            values[node.outputs[0]] = try noGrad {
                if let l = layers[k] { return try layer(l, inputs[0]) }
                return try ONNXInterpreter.evaluate(node, inputs)
            }
        }
        guard let y = values[output] else { throw ExportError("output '\(output)' is never computed") }
        return y
    }

    /// The float forward pass (the folded model's logits).
    public func floatForward(_ x: Tensor) throws -> Tensor {
        try run(x) { l, input in
            let w = Tensor(shape: l.weightShape, scalars: l.weight)
            let b = l.bias.map { Tensor(shape: [$0.count], scalars: $0) }
            switch l.kind {
            case .linear: return linear(input, weight: w, bias: b)
            case .conv(_, let stride, let padding): return conv2d(input, weight: w, bias: b, stride: stride, padding: padding)
            }
        }
    }
}
