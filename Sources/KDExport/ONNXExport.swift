// ONNXExport: a zoo model (its LayerGraph and state) as an ONNX opset-17 model: Conv, Gemm, Relu, Add,
// MaxPool, GlobalAveragePool, Flatten, with batch norms folded into the convolutions before them (or kept
// as BatchNormalization nodes) and the input normalisation folded into the first layer (or Sub/Div nodes).
// The graph reads pixels/255 `[N, C, H, W]` and returns logits `[N, K]`.

import KDNN

/// How a model is exported.
public struct ONNXExportOptions: Sendable {
    /// Where the input normalisation goes.
    public enum Normalization: String, Sendable {
        /// Into the first layer's weights and bias (plus a border map after a padded first conv).
        case folded
        /// As Sub and Div nodes on the input.
        case nodes
    }

    public var normalization: Normalization
    /// Fold each batch norm that follows a convolution into it; the rest stay BatchNormalization nodes.
    public var foldBatchNorm: Bool
    /// The batch dimension: nil for a symbolic `batch`, else a fixed size.
    public var batch: Int?

    public init(normalization: Normalization = .folded, foldBatchNorm: Bool = true, batch: Int? = nil) {
        (self.normalization, self.foldBatchNorm, self.batch) = (normalization, foldBatchNorm, batch)
    }
}

/// Zoo model → ONNX model.
public enum ONNXExport {
    /// Name of the graph's input (pixels/255, NCHW) and output (logits).
    public static let inputName = "input", outputName = "logits"

    /// Exports `model` whose input is normalised with `normalization`; `metadata` becomes `metadata_props`.
    public static func model(
        _ model: Model, normalization: CheckpointMetadata.Normalization, options: ONNXExportOptions = .init(),
        metadata: [ONNX.StringPair] = [], producerVersion: String = ""
    ) throws -> ONNX.Model {
        guard let layers = model.layerGraph else { throw ExportError("model \(model.spec.name): no layer graph to export") }
        guard normalization.mean.count == model.spec.inputShape[0], normalization.std.count == model.spec.inputShape[0] else {
            throw ExportError(
                "normalization: expected \(model.spec.inputShape[0]) channels, found \(normalization.mean.count) means, \(normalization.std.count) stds"
            )
        }
        var lowering = Lowering(
            layers: layers, tensors: Dictionary(model.state.map { ($0.name, $0.tensor.scalars) }) { a, _ in a },
            shapes: Dictionary(model.state.map { ($0.name, $0.tensor.shape) }) { a, _ in a },
            options: options, normalization: normalization,
            builder: ONNXGraphBuilder(name: model.spec.name, batch: options.batch.map { .value(Int64($0)) } ?? .param("batch")))
        try lowering.run(inputShape: model.spec.inputShape)
        var out = ONNX.Model()
        out.producerVersion = producerVersion
        out.docString =
            "\(model.spec.name): input \(inputName) = pixels/255 [N, \(model.spec.inputShape.map(String.init).joined(separator: ", "))], output \(outputName) [N, \(model.spec.numClasses)]"
        out.graph = lowering.builder.graph
        out.metadata =
            metadata + [
                ONNX.StringPair("normalization_in_graph", lowering.normalizationPlacement),
                ONNX.StringPair(
                    "batch_norm", lowering.keptBatchNorms == 0 ? "folded" : "\(lowering.keptBatchNorms) BatchNormalization nodes"),
            ]
        return out
    }
}
