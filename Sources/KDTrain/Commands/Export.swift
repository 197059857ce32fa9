// Export: `kdistill export CHECKPOINT --format onnx`: the checkpoint's model as an ONNX file (KDExport; an int8
// checkpoint as a QDQ graph: Export+Quantized.swift) with its class names, dataset, normalisation and source in
// the metadata. The bytes written are read back and run on random images: their logits must match the model's.

import Foundation
import KDData
import KDExport
import KDNN
import KDSupport
import KDTensor

/// Checkpoint export.
public enum Export {
    /// What to export and how.
    public struct Choice {
        /// Where to write (default: the checkpoint's path with `.onnx`).
        public var out: String?
        /// The input normalisation as Sub/Div nodes instead of folded into the first layer.
        public var normalizationNodes = false
        /// Batch norms as BatchNormalization nodes instead of folded into the convolutions.
        public var keepBatchNorm = false
        /// A fixed batch size; nil for a symbolic `batch` dimension.
        public var batch: Int?
        /// Architecture and data of a checkpoint without kdistill metadata (a PyTorch `save_file` export).
        public var model: String?
        public var dataset: String?
        public var directory: String?

        public init() {}

        var options: ONNXExportOptions {
            ONNXExportOptions(normalization: normalizationNodes ? .nodes : .folded, foldBatchNorm: !keepBatchNorm, batch: batch)
        }
    }

    /// The largest relative logit difference the self-check accepts.
    static let tolerance: Float = 1e-4

    /// Exports `checkpoint`; returns the summary (path, sizes, placements, self-check difference).
    public static func run(checkpoint: String, _ choice: Choice) throws -> JSONValue {
        let file = try ModelCheckpoint(path: checkpoint)
        if QuantizedCheckpoint.isQuantized(file.metadata) { return try runQuantized(file, choice) }
        let header = file.metadata
        let datasetName = choice.dataset ?? header.dataset
        let dataset = try datasetName.map { name in
            guard let d = DatasetName(rawValue: name) else {
                throw RunInputError(
                    "dataset: expected one of \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")), found '\(name)'")
            }
            return d
        }
        var fallback: ModelSpec?
        if header.model == nil, let name = choice.model {
            guard let dataset else {
                throw RunInputError("\(checkpoint): --model \(name) needs --data DATASET for the input shape and classes")
            }
            fallback = ModelSpec(name: name, inputShape: dataset.inputShape, numClasses: dataset.numClasses)
        }
        let model = try file.model(fallback: fallback, hint: "name the architecture with --model and the data with --data")
        let normalization = try inputNormalization(file, model: model, dataset: dataset, directory: choice.directory)
        let stats = CheckpointMetadata.Normalization(mean: normalization.mean, std: normalization.std)
        let onnx = try ONNXExport.model(
            model, normalization: stats, options: choice.options,
            metadata: try metadata(file, model: model, dataset: dataset, normalization: stats),
            producerVersion: KDistillVersion.current)
        let bytes = onnx.serialized()
        let difference = try selfCheck(bytes, model: model, normalization: normalization, batch: choice.options.batch)
        let out = choice.out ?? (checkpoint.hasSuffix(".safetensors") ? String(checkpoint.dropLast(12)) : checkpoint) + ".onnx"
        do { try AtomicFile.write(bytes, to: out) } catch { throw RunError("\(out): cannot write the ONNX file (\(error))") }
        var summary = JSONObject()
        summary["path"] = .string(out)
        summary["format"] = .string("onnx")
        summary["opset"] = .int(Int(ONNX.opsetVersion))
        summary["model"] = .string(model.spec.name)
        summary["dataset"] = dataset.map { .string($0.rawValue) } ?? .null
        summary["bytes"] = .int(bytes.count)
        summary["nodes"] = .int(onnx.graph.nodes.count)
        summary["initializers"] = .int(onnx.graph.initializers.count)
        summary["stored_values"] = .int(onnx.graph.initializers.reduce(0) { $0 + ($1.elementCount ?? 0) })
        summary["batch"] = choice.options.batch.map { .int($0) } ?? .string("dynamic")
        summary["normalization_in_graph"] = .string(onnx.metadataValue("normalization_in_graph") ?? "")
        summary["batch_norm"] = .string(onnx.metadataValue("batch_norm") ?? "")
        summary["self_check_difference"] = .number(Double(difference))
        var metadata = JSONObject()
        for pair in onnx.metadata { metadata[pair.key] = .string(pair.value) }
        summary["metadata"] = .object(metadata)
        return .object(summary)
    }

    /// The checkpoint's normalisation (eval's rule: the training set's for a file without one).
    static func inputNormalization(_ file: ModelCheckpoint, model: Model, dataset: DatasetName?, directory: String?) throws
        -> Normalization
    {
        if let n = try Evaluate.checkpointNormalization(file, channels: model.spec.inputShape[0]) { return n }
        guard let dataset else {
            throw RunInputError(
                "\(file.path): expected a normalisation (checkpoint metadata) or --data to fit one, found neither")
        }
        let dir = DatasetLoader.resolveDirectory(dataset, requested: directory ?? "data/\(dataset.rawValue)")
        let labels: CIFAR100Labels = model.spec.numClasses == 20 ? .coarse : .fine
        return try Evaluate.inputNormalization(file.metadata) {
            Normalization.fit(try DatasetLoader.load(dataset, directory: dir, split: .train, cifar100Labels: labels))
        }
    }

    /// `metadata_props`: what the model is, what it reads and where it came from.
    static func metadata(
        _ file: ModelCheckpoint, model: Model, dataset: DatasetName?, normalization: CheckpointMetadata.Normalization
    ) throws -> [ONNX.StringPair] {
        let spec = model.spec
        var names = (0..<spec.numClasses).map(String.init)
        if let dataset {
            let known = dataset == .cifar100 && spec.numClasses == 20 ? ClassNames.cifar100Coarse : dataset.defaultClassNames
            if known.count == spec.numClasses { names = known }
        }
        let hash: String
        do { hash = try ContentHash.file(file.path) } catch {
            throw CheckpointError(file.path, "file", expected: "a readable file", found: "\(error)")
        }
        var pairs: [(String, String)] = [
            ("model", spec.name), ("dataset", dataset?.rawValue ?? ""),
            ("input", "pixels / 255 in [0, 1], float32 [N, \(spec.inputShape.map(String.init).joined(separator: ", "))]"),
            ("input_shape", JSONValue.array(spec.inputShape.map { .int($0) }).formatted(.compact)),
            ("num_classes", String(spec.numClasses)),
            ("class_names", JSONValue.array(names.map { .string($0) }).formatted(.compact)),
            (
                "normalization",
                CheckpointMetadata(spec: spec, dataset: nil, normalization: normalization, epoch: nil).encode()["normalization"]
                    ?? ""
            ),
            ("kdistill_version", KDistillVersion.current), ("source_checkpoint", file.path), ("source_checkpoint_hash", hash),
        ]
        if let epoch = file.metadata.epoch { pairs.append(("epoch", String(epoch))) }
        return pairs.map { ONNX.StringPair($0.0, $0.1) }
    }

    /// Reads `bytes` back, runs them on two random images and returns the largest logit difference from
    /// the model (relative to the largest logit, at least 1); beyond `tolerance` it is an error.
    static func selfCheck(_ bytes: [UInt8], model: Model, normalization: Normalization, batch: Int?) throws -> Float {
        let decoded: ONNX.Model
        do { decoded = try ONNX.Model(decoding: bytes) } catch {
            throw RunError("export self-check: the written bytes do not decode: \(error)")
        }
        let n = min(batch ?? 2, 2), c = model.spec.inputShape[0]
        var rng = SeededGenerator(seed: 0)
        let pixels = Tensor(
            shape: [n] + model.spec.inputShape, scalars: (0..<(n * model.spec.inputShape.product)).map { _ in rng.uniform() })
        let ours = try ONNXInterpreter.run(decoded, input: pixels, checkBatch: batch == nil || batch == n)
        let x =
            (pixels - Tensor(shape: [1, c, 1, 1], scalars: normalization.mean))
            / Tensor(shape: [1, c, 1, 1], scalars: normalization.std)
        let expected = noGrad { model.forward(x, .eval).logits }
        let scale = max(1, expected.scalars.map(abs).max() ?? 0)
        let difference = (zip(ours.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity) / scale
        guard difference <= tolerance else {
            throw RunError(
                "export self-check: the ONNX graph's logits differ from the model's by \(difference) (relative; at most \(tolerance) expected)"
            )
        }
        return difference
    }
}
