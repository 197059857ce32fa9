// FakeQuantization: quantization-aware training of one model (Jacob et al. 2018): a FakeQuantPoint on
// every conv and linear layer of its LayerGraph, the observers as resume tensors, and the ranges as
// checkpoint metadata (`kdistill.quant_ranges`), from which `kdistill quantize` builds the int8 model.

import KDJSON
import KDTensor

/// The fake-quantization state attached to one model's conv and linear layers.
public final class FakeQuantization {
    /// Checkpoint metadata key of the observed input ranges: a JSON object `{"<LayerGraph prefix>": [lo, hi]}`,
    /// e.g. `{"conv1.":[-0.81,2.02],"fc.":[0,3.5]}`.
    public static let rangesKey = "kdistill.quant_ranges"
    /// Checkpoint metadata key naming the scheme the ranges are for, with value `int8`.
    public static let schemeKey = "quantize"
    /// The value of `schemeKey`.
    public static let scheme = "int8"
    /// Prefix of the observers' names in resume files (`quant.conv1.range`).
    static let resumePrefix = "quant."

    /// One point per conv and linear step of the model's LayerGraph, in graph order.
    public let points: [FakeQuantPoint]

    init(points: [FakeQuantPoint]) { self.points = points }

    /// Attaches a fresh point (no range observed yet) to every conv and linear layer of `model`; the model then
    /// computes as its int8 version would. A model without a LayerGraph cannot be quantized.
    public static func attach(to model: Model) throws -> FakeQuantization {
        guard let graph = model.layerGraph else {
            throw ModelError("\(model.spec.name): no layer graph, so no int8 quantization points (quantize needs one)")
        }
        let prefixes: [String] = graph.nodes.compactMap {
            switch $0.step {
            case .conv(let prefix, _, _), .linear(let prefix): return prefix
            default: return nil
            }
        }
        let layers = QuantizableLayers.find(in: model)
        var points: [FakeQuantPoint] = []
        var attached = Set<ObjectIdentifier>()
        for prefix in prefixes where !points.contains(where: { $0.prefix == prefix }) {
            guard let layer = layers[prefix] else {
                throw ModelError("\(model.spec.name): layer graph step \(prefix) has no conv or linear layer")
            }
            let point = FakeQuantPoint(prefix: prefix)
            layer.fakeQuant = point
            attached.insert(ObjectIdentifier(layer))
            points.append(point)
        }
        if let missed = layers.first(where: { !attached.contains(ObjectIdentifier($0.value)) }) {
            throw ModelError("\(model.spec.name): layer \(missed.key) is not in the layer graph; it cannot be quantized")
        }
        return FakeQuantization(points: points)
    }

    /// Attaches fake quantization with the ranges of a checkpoint's metadata when it says `quantize: int8`
    /// (a quantization-aware trained network); nil, leaving the model in float, otherwise.
    @discardableResult
    public static func attachIfQuantized(to model: Model, metadata: [String: String], source: String) throws
        -> FakeQuantization?
    {
        guard metadata[schemeKey] == scheme, let text = metadata[rangesKey] else { return nil }
        let q = try attach(to: model)
        try q.setRanges(try decodeRanges(text, source: source), source: source)
        return q
    }

    /// The observers as resume tensors (`quant.<prefix>range`, shared with the points).
    public var observerState: [NamedTensor] {
        points.map { NamedTensor(Self.resumePrefix + $0.prefix + "range", $0.observer, .buffer) }
    }

    /// The observed ranges by prefix (points without a range yet are left out).
    public var ranges: [String: (lo: Float, hi: Float)] {
        var out: [String: (lo: Float, hi: Float)] = [:]
        for p in points { if let r = p.range { out[p.prefix] = r } }
        return out
    }

    /// The checkpoint metadata of the current ranges: `quantize: int8` and `kdistill.quant_ranges`.
    public var metadata: [String: String] {
        var o = JSONObject()
        for p in points {
            guard let (lo, hi) = p.range else { continue }
            o[p.prefix] = .array([Self.number(lo), Self.number(hi)])
        }
        return [Self.schemeKey: Self.scheme, Self.rangesKey: JSONValue.object(o).formatted(.compact)]
    }

    /// Puts `ranges` into the points: every point needs one (keys with or without the final dot).
    public func setRanges(_ ranges: [String: (lo: Float, hi: Float)], source: String) throws {
        for p in points {
            guard let r = ranges[p.prefix] ?? ranges[String(p.prefix.dropLast())] else {
                throw CheckpointError(
                    source, "__metadata__.\(Self.rangesKey)", expected: "a range for every conv and linear layer",
                    found: "none for \(p.prefix)")
            }
            p.range = r
        }
    }

    /// Parses `{"prefix": [lo, hi], ...}` (lo ≤ hi, finite).
    public static func decodeRanges(_ text: String, source: String) throws -> [String: (lo: Float, hi: Float)] {
        let expected = #"a JSON object {"<layer prefix>": [lo, hi], ...} of finite numbers with lo <= hi"#
        guard case .object(let members)? = try? JSONValue(parsing: text) else {
            throw CheckpointError(source, "__metadata__.\(rangesKey)", expected: expected, found: String(text.prefix(60)))
        }
        var out: [String: (lo: Float, hi: Float)] = [:]
        for (key, value) in members {
            guard case .array(let items) = value, items.count == 2, let lo = items[0].doubleValue,
                let hi = items[1].doubleValue, lo.isFinite, hi.isFinite, lo <= hi
            else {
                throw CheckpointError(
                    source, "__metadata__.\(rangesKey).\(key)", expected: expected, found: value.formatted(.compact))
            }
            out[key] = (Float(lo), Float(hi))
        }
        return out
    }

    /// A float as the JSON number of its shortest decimal (read back to the same float).
    static func number(_ x: Float) -> JSONValue { .number(Double("\(x)") ?? Double(x)) }
}
