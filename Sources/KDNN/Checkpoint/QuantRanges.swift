// QuantRanges: the activation ranges a checkpoint carries for int8 quantization, in its metadata under
// `kdistill.quant_ranges` as JSON `{"<layer>": [lo, hi], ...}`, and the key that marks an int8 checkpoint.

import KDJSON

/// The observed input range of one conv or linear layer, in the model's normalised input space.
public struct QuantRange: Equatable, Sendable {
    public var lo: Float
    public var hi: Float
    public init(lo: Float, hi: Float) { (self.lo, self.hi) = (lo, hi) }
}

/// Per-layer activation ranges (quantization-aware training writes them; `kdistill quantize` reads them).
/// A layer is named by its LayerGraph prefix without the trailing dot, i.e. its weight tensor's name
/// without `.weight` (`layer1.0.conv1`, `fc`); a trailing dot is accepted and dropped when reading.
public enum QuantRanges {
    /// The `__metadata__` key holding the ranges.
    public static let metadataKey = "kdistill.quant_ranges"

    /// `layer1.0.conv1.` → `layer1.0.conv1`: the one spelling of a layer name.
    public static func layerName(_ prefix: String) -> String { prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix }

    /// The JSON text stored under `metadataKey`, keys sorted.
    public static func encode(_ ranges: [String: QuantRange]) -> String {
        var object = JSONObject()
        for key in ranges.keys.sorted() {
            guard let r = ranges[key] else { continue }
            object[layerName(key)] = .array([
                .number(Double("\(r.lo)") ?? Double(r.lo)), .number(Double("\(r.hi)") ?? Double(r.hi)),
            ])
        }
        return JSONValue.object(object).formatted(.compact)
    }

    /// Parses the text stored under `metadataKey`; `source` (the checkpoint) names errors.
    public static func decode(_ text: String, source: String) throws -> [String: QuantRange] {
        func fail(_ found: String) -> CheckpointError {
            CheckpointError(
                source, "__metadata__.\(metadataKey)", expected: #"JSON {"<layer>": [lo, hi], ...} with finite lo ≤ hi"#,
                found: snippet(found))
        }
        guard case .object(let members)? = try? JSONValue(parsing: text) else { throw fail(text) }
        var out: [String: QuantRange] = [:]
        for (key, value) in members {
            guard case .array(let pair) = value, pair.count == 2, let lo = pair[0].doubleValue, let hi = pair[1].doubleValue,
                lo.isFinite, hi.isFinite, lo <= hi
            else { throw fail("\(key): \(value.formatted(.compact))") }
            out[layerName(key)] = QuantRange(lo: Float(lo), hi: Float(hi))
        }
        return out
    }
}

/// The metadata that marks an int8 checkpoint written by `kdistill quantize`.
public enum QuantizedCheckpoint {
    /// `__metadata__` key present (JSON: scheme, calibration) only in int8 checkpoints.
    public static let metadataKey = "kdistill.quantized"

    /// Whether `metadata` (a decoded checkpoint header) belongs to an int8 checkpoint.
    public static func isQuantized(_ metadata: CheckpointMetadata) -> Bool { metadata.extra[metadataKey] != nil }
}
