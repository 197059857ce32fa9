// ModelCheckpoint: the one way a checkpoint becomes a model: the file is read once, its kdistill
// metadata decoded, the zoo model it names (or a given fallback) built for inference and loaded.

import KDTensor

/// A checkpoint file read once: its tensors and its decoded kdistill metadata.
public struct ModelCheckpoint {
    /// The path it was read from (names errors).
    public let path: String
    /// The file as read.
    public let file: SafetensorsFile
    /// Its kdistill metadata (every field nil for a file without any, such as a PyTorch export).
    public let metadata: CheckpointMetadata

    /// Reads and validates the checkpoint at `path` and decodes its metadata.
    public init(path: String) throws {
        self.path = path
        file = try SafetensorsFile.read(path: path)
        metadata = try CheckpointMetadata.decode(file.metadata, source: path)
    }

    /// The model the checkpoint holds, built without training noise (`ModelSpec.plain`: no dropout, head
    /// dropout or stochastic depth; for inference) and loaded with its tensors; a quantization-aware trained
    /// one (`quantize: int8` with `kdistill.quant_ranges`) runs fake-quantized, as the int8 network computes.
    /// A file without kdistill metadata is built as `fallback`; without one, the error ends with `hint`
    /// (how the user names the architecture: `--model`, `teacher.model`).
    public func model(fallback: ModelSpec?, hint: String) throws -> Model {
        guard !QuantizedCheckpoint.isQuantized(metadata) else {
            throw CheckpointError(
                path, "__metadata__.\(QuantizedCheckpoint.metadataKey)", expected: "a float checkpoint",
                found: "an int8 checkpoint", hint: "int8 checkpoints are for eval and export only; use the float one here")
        }
        var spec: ModelSpec
        if metadata.model != nil {
            spec = try metadata.modelSpec(source: path)
        } else if let fallback {
            spec = fallback
        } else {
            throw CheckpointError(
                path, "__metadata__.model", expected: "kdistill metadata naming the model (model, input_shape, num_classes)",
                found: "none", hint: hint)
        }
        spec = spec.plain
        let model = try Zoo.build(spec, seed: 0)
        try model.loadStateDict(file.tensors, source: path)
        try FakeQuantization.attachIfQuantized(to: model, metadata: file.metadata, source: path)
        return model
    }
}
