// QuantizedModel: a zoo model in int8: its folded program with every conv and linear layer replaced by
// a QuantizedLayer; ReLU, pooling, addition, flattening and kept batch norms run in float between them
// on dequantized values (QDQ semantics). Reads the normalised input like `Model.forward`.

import KDNN
import KDTensor

/// An int8 model ready to run.
public struct QuantizedModel {
    /// The float model's structure (lowered graph, layer names).
    public let program: FoldedProgram
    /// int8 layers by name.
    public let layers: [String: QuantizedLayer]
    /// Float initializers the program still reads (kept batch norms), by name.
    public let floatConstants: [String: Tensor]

    public var spec: ModelSpec { program.spec }

    /// The layer names, in graph order.
    public var layerNames: [String] { program.layers.sorted { $0.key < $1.key }.map(\.value.name) }

    /// Quantizes `program` with activation `ranges` (one per layer name, see `QuantRanges`).
    public init(program: FoldedProgram, ranges: [String: QuantRange]) throws {
        var layers: [String: QuantizedLayer] = [:]
        for l in program.layers.values {
            guard let r = ranges[l.name] else {
                throw QuantError("activation ranges: expected a range for layer '\(l.name)', found none")
            }
            layers[l.name] = QuantizedLayer.quantizing(
                name: l.name, kind: l.kind, weight: l.weight, weightShape: l.weightShape, bias: l.bias, range: r)
        }
        try self.init(
            program: program, layers: layers,
            floatConstants: Dictionary(
                uniqueKeysWithValues: program.floatConstantNames.compactMap { n in program.constants[n].map { (n, $0) } }))
    }

    /// An int8 model from its parts (a quantized file); every layer of `program` must be present.
    public init(program: FoldedProgram, layers: [String: QuantizedLayer], floatConstants: [String: Tensor]) throws {
        for l in program.layers.values {
            guard let q = layers[l.name] else { throw QuantError("int8 model: expected layer '\(l.name)', found none") }
            guard q.weightShape == l.weightShape, q.kind == l.kind else {
                throw QuantError(
                    "int8 layer '\(l.name)': expected weight \(l.weightShape) \(l.kind), found \(q.weightShape) \(q.kind)")
            }
        }
        (self.program, self.layers, self.floatConstants) = (program, layers, floatConstants)
    }

    /// Logits `[N, K]` of normalised images `x` `[N, C, H, W]`, computed with the int8 kernels.
    public func forward(_ x: Tensor) throws -> Tensor {
        try program.run(x, constants: floatConstants) { l, input in
            guard let q = layers[l.name] else { throw QuantError("int8 model: no layer '\(l.name)'") }
            return q.forward(input)
        }
    }
}

/// A quantization problem in one line (what, expected, found).
public struct QuantError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
