// CheckpointMetadata: the kdistill keys of a checkpoint's `__metadata__` (docs/formats.md), encoded as
// strings and decoded with validation. Keys may be absent (PyTorch-saved files): fields are optional.

import KDJSON
import KDTensor

/// The kdistill metadata of a checkpoint. Absent keys decode as nil; present but invalid ones are errors.
public struct CheckpointMetadata: Equatable {
    /// Per-channel input normalisation, stored as JSON `{"mean":[...],"std":[...]}`.
    public struct Normalization: Equatable, Sendable {
        public var mean: [Float]
        public var std: [Float]

        /// Per-channel mean and standard deviation.
        public init(mean: [Float], std: [Float]) {
            self.mean = mean
            self.std = std
        }
    }

    /// The format tag kdistill writes.
    public static let formatV1 = "kdistill.v1"

    /// `format` (`kdistill.v1` for kdistill files; PyTorch tools may write `pt` or nothing).
    public var format: String?
    /// `model`: the zoo name (`resnet20`).
    public var model: String?
    /// `input_shape`: `[C, H, W]`.
    public var inputShape: [Int]?
    /// `num_classes`.
    public var numClasses: Int?
    /// `dropout` (written only when non-zero; MLPs).
    public var dropout: Float?
    /// `dataset` (`fashion-mnist`).
    public var dataset: String?
    /// `normalization`.
    public var normalization: Normalization?
    /// `epoch`: epochs completed when saved.
    public var epoch: Int?
    /// `metrics`: JSON text (validated as JSON).
    public var metrics: String?
    /// `config`: the resolved experiment config, JSON text (validated as JSON).
    public var config: String?
    /// Every other key, kept as found.
    public var extra: [String: String] = [:]

    /// Empty metadata (every key absent).
    public init() {}

    /// Metadata of a kdistill checkpoint of the model `spec`.
    public init(
        spec: ModelSpec, dataset: String?, normalization: Normalization?, epoch: Int?,
        metrics: String? = nil, config: String? = nil
    ) {
        format = Self.formatV1
        model = spec.name
        inputShape = spec.inputShape
        numClasses = spec.numClasses
        dropout = spec.dropout == 0 ? nil : spec.dropout
        self.dataset = dataset
        self.normalization = normalization
        self.epoch = epoch
        self.metrics = metrics
        self.config = config
    }

    /// Whether the file says it was written by kdistill.
    public var isKdistill: Bool { format == Self.formatV1 }

    /// The string map stored as `__metadata__`.
    public func encode() -> [String: String] {
        var out = extra
        out["format"] = format
        out["model"] = model
        out["input_shape"] = inputShape.map { JSONValue.array($0.map(JSONValue.int)).formatted(.compact) }
        out["num_classes"] = numClasses.map(String.init)
        out["dropout"] = dropout.map { "\($0)" }
        out["dataset"] = dataset
        out["normalization"] = normalization.map {
            JSONValue.object(["mean": Self.floats($0.mean), "std": Self.floats($0.std)]).formatted(.compact)
        }
        out["epoch"] = epoch.map(String.init)
        out["metrics"] = metrics
        out["config"] = config
        return out
    }

    /// Reads the kdistill keys of `metadata`; `source` (the checkpoint path) names errors.
    public static func decode(_ metadata: [String: String], source: String) throws -> CheckpointMetadata {
        var m = CheckpointMetadata()
        func fail(_ key: String, _ expected: String, _ found: String) -> CheckpointError {
            CheckpointError(source, "__metadata__.\(key)", expected: expected, found: snippet(found))
        }
        for (key, text) in metadata {
            switch key {
            case "format": m.format = text
            case "model": m.model = text
            case "dataset": m.dataset = text
            case "input_shape":
                guard case .array(let items)? = try? JSONValue(parsing: text), !items.isEmpty else {
                    throw fail(key, "a JSON array of positive integers like [1,28,28]", text)
                }
                let dims = items.compactMap { $0.intValue }.filter { $0 > 0 }
                guard dims.count == items.count else { throw fail(key, "a JSON array of positive integers like [1,28,28]", text) }
                m.inputShape = dims
            case "num_classes":
                guard let k = Int(text), k > 0 else { throw fail(key, "a positive integer", text) }
                m.numClasses = k
            case "dropout":
                guard let p = Float(text), p >= 0, p < 1 else { throw fail(key, "a probability in [0, 1)", text) }
                m.dropout = p
            case "epoch":
                guard let e = Int(text), e >= 0 else { throw fail(key, "a non-negative integer", text) }
                m.epoch = e
            case "normalization":
                guard let n = decodeNormalization(text) else {
                    throw fail(key, #"JSON {"mean":[...],"std":[...]} with equal lengths and positive std"#, text)
                }
                m.normalization = n
            case "metrics", "config":
                guard (try? JSONValue(parsing: text)) != nil else { throw fail(key, "JSON text", text) }
                if key == "metrics" { m.metrics = text } else { m.config = text }
            default: m.extra[key] = text
            }
        }
        return m
    }

    /// Floats as JSON numbers with their own shortest decimals (`0.2860402`, not the Double widening's digits).
    private static func floats(_ values: [Float]) -> JSONValue {
        .array(values.map { $0.isFinite ? .number(Double("\($0)") ?? Double($0)) : .null })
    }

    private static func decodeNormalization(_ text: String) -> Normalization? {
        guard case .object(let members)? = try? JSONValue(parsing: text), members.count == 2 else { return nil }
        var arrays: [String: [Float]] = [:]
        for (key, value) in members {
            guard case .array(let items) = value else { return nil }
            let numbers = items.compactMap { $0.doubleValue }.map(Float.init).filter(\.isFinite)
            guard numbers.count == items.count, !numbers.isEmpty else { return nil }
            arrays[key] = numbers
        }
        guard let mean = arrays["mean"], let std = arrays["std"], mean.count == std.count,
            std.allSatisfy({ $0 > 0 })
        else { return nil }
        return Normalization(mean: mean, std: std)
    }

    /// The model this checkpoint holds; errors name the first missing key, for files (such as
    /// PyTorch-saved ones) whose model the caller must give explicitly.
    public func modelSpec(source: String) throws -> ModelSpec {
        let hint = "not a kdistill checkpoint? give the model explicitly"
        guard let model else {
            throw CheckpointError(source, "__metadata__.model", expected: "the zoo model name", found: "no such key", hint: hint)
        }
        guard let inputShape else {
            throw CheckpointError(
                source, "__metadata__.input_shape", expected: "the input shape", found: "no such key", hint: hint)
        }
        guard let numClasses else {
            throw CheckpointError(
                source, "__metadata__.num_classes", expected: "the class count", found: "no such key", hint: hint)
        }
        return ModelSpec(name: model, inputShape: inputShape, numClasses: numClasses, dropout: dropout ?? 0)
    }
}
