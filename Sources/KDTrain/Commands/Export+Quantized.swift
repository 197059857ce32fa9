// Export+Quantized: `kdistill export INT8_CHECKPOINT --format onnx`: an int8 checkpoint as an ONNX QDQ
// graph (KDQuant.QDQExport). The bytes written are read back and run by kdistill's interpreter on random
// images before the file is kept: their logits must match the int8 kernels' within `qdqTolerance`.

import Foundation
import KDData
import KDExport
import KDNN
import KDQuant
import KDSupport
import KDTensor

extension Export {
    /// The largest relative logit difference between the QDQ graph (float arithmetic on dequantized
    /// values) and the int8 kernels (exact integers): a rounding tie resolved differently moves one step.
    static let qdqTolerance: Float = 2e-2

    /// Exports int8 checkpoint `file` as a QDQ graph; returns the summary.
    static func runQuantized(_ file: ModelCheckpoint, _ choice: Choice) throws -> JSONValue {
        guard !choice.keepBatchNorm, choice.batch == nil, !choice.normalizationNodes else {
            throw RunInputError(
                "\(file.path): an int8 checkpoint exports as a QDQ graph with a dynamic batch, normalisation nodes and its "
                    + "batch norms as stored: expected no --batch, --normalization or --keep-batch-norm")
        }
        let model = try QuantizedFile.load(file)
        let spec = model.spec
        guard let n = try Evaluate.checkpointNormalization(file, channels: spec.inputShape[0]) else {
            throw RunInputError("\(file.path): expected __metadata__.normalization in an int8 checkpoint, found none")
        }
        let stats = CheckpointMetadata.Normalization(mean: n.mean, std: n.std)
        let dataset = file.metadata.dataset.flatMap(DatasetName.init(rawValue:))
        var names = (0..<spec.numClasses).map(String.init)
        if let dataset, dataset.defaultClassNames.count == spec.numClasses { names = dataset.defaultClassNames }
        let metadata: [ONNX.StringPair] = [
            .init("model", spec.name), .init("dataset", dataset?.rawValue ?? ""),
            .init("input", "pixels / 255 in [0, 1], float32 [N, \(spec.inputShape.map(String.init).joined(separator: ", "))]"),
            .init("num_classes", String(spec.numClasses)),
            .init("class_names", JSONValue.array(names.map { .string($0) }).formatted(.compact)),
            .init("normalization", file.file.metadata["normalization"] ?? ""),
            .init("kdistill_version", KDistillVersion.current), .init("source_checkpoint", file.path),
            .init(QuantizedCheckpoint.metadataKey, file.metadata.extra[QuantizedCheckpoint.metadataKey] ?? ""),
        ]
        let onnx = try QDQExport.model(model, normalization: stats, metadata: metadata, producerVersion: KDistillVersion.current)
        let bytes = onnx.serialized()
        let difference = try qdqSelfCheck(bytes, model: model, normalization: n)
        let out = choice.out ?? (file.path.hasSuffix(".safetensors") ? String(file.path.dropLast(12)) : file.path) + ".onnx"
        do { try AtomicFile.write(bytes, to: out) } catch { throw RunError("\(out): cannot write the ONNX file (\(error))") }
        var summary = JSONObject()
        summary["path"] = .string(out)
        summary["format"] = .string("onnx")
        summary["quantization"] = .string("QDQ int8")
        summary["opset"] = .int(Int(ONNX.opsetVersion))
        summary["model"] = .string(spec.name)
        summary["dataset"] = dataset.map { .string($0.rawValue) } ?? .null
        summary["bytes"] = .int(bytes.count)
        summary["nodes"] = .int(onnx.graph.nodes.count)
        summary["initializers"] = .int(onnx.graph.initializers.count)
        summary["batch"] = .string("dynamic")
        summary["normalization_in_graph"] = .string("nodes")
        summary["batch_norm"] = .string("folded")
        summary["self_check_difference"] = .number(Double(difference))
        return .object(summary)
    }

    /// Reads `bytes` back, runs them on two random images and returns the largest logit difference from
    /// the int8 model (relative to the largest logit, at least 1); beyond `qdqTolerance` it is an error.
    static func qdqSelfCheck(_ bytes: [UInt8], model: QuantizedModel, normalization: Normalization) throws -> Float {
        let decoded: ONNX.Model
        do { decoded = try ONNX.Model(decoding: bytes) } catch {
            throw RunError("export self-check: the written bytes do not decode: \(error)")
        }
        let shape = model.spec.inputShape, c = shape[0]
        var rng = SeededGenerator(seed: 0)
        let pixels = Tensor(shape: [2] + shape, scalars: (0..<(2 * shape.product)).map { _ in rng.uniform() })
        let ours = try ONNXInterpreter.run(decoded, input: pixels)
        let x =
            (pixels - Tensor(shape: [1, c, 1, 1], scalars: normalization.mean))
            / Tensor(shape: [1, c, 1, 1], scalars: normalization.std)
        let expected = try model.forward(x)
        let scale = max(1, expected.scalars.map(abs).max() ?? 0)
        let difference = (zip(ours.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity) / scale
        guard difference <= qdqTolerance else {
            throw RunError(
                "export self-check: the QDQ graph's logits differ from the int8 kernels' by \(difference) (relative; at most \(qdqTolerance) expected)"
            )
        }
        return difference
    }
}
