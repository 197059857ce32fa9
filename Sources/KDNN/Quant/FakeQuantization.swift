// FakeQuantization: quantization-aware training of one model (Jacob et al. 2018): a FakeQuantPoint on
// every conv and linear layer of its LayerGraph, the observers as resume tensors, and the ranges as
// checkpoint metadata (`kdistill.quant_ranges`), from which `kdistill quantize` builds the int8 model.

import KDJSON
import KDTensor

/// The fake-quantization state attached to one model's conv and linear layers.
public final class FakeQuantization {
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
        guard metadata[schemeKey] == scheme, let text = metadata[QuantRanges.metadataKey] else { return nil }
        let q = try attach(to: model)
        try q.setRanges(try QuantRanges.decode(text, source: source), source: source)
        return q
    }

    /// The observers as resume tensors (`quant.<prefix>range`, shared with the points).
    public var observerState: [NamedTensor] {
        points.map { NamedTensor(Self.resumePrefix + $0.prefix + "range", $0.observer, .buffer) }
    }

    /// The observed ranges by layer name (QuantRanges' spelling; points without a range yet are left out).
    public var ranges: [String: QuantRange] {
        var out: [String: QuantRange] = [:]
        for p in points { if let r = p.range { out[QuantRanges.layerName(p.prefix)] = QuantRange(lo: r.lo, hi: r.hi) } }
        return out
    }

    /// The checkpoint metadata of the current ranges: `quantize: int8` and QuantRanges' `kdistill.quant_ranges`.
    public var metadata: [String: String] {
        [Self.schemeKey: Self.scheme, QuantRanges.metadataKey: QuantRanges.encode(ranges)]
    }

    /// Puts `ranges` (by layer name, as QuantRanges decodes them) into the points: every point needs one.
    public func setRanges(_ ranges: [String: QuantRange], source: String) throws {
        for p in points {
            guard let r = ranges[QuantRanges.layerName(p.prefix)] else {
                throw CheckpointError(
                    source, "__metadata__.\(QuantRanges.metadataKey)", expected: "a range for every conv and linear layer",
                    found: "none for \(QuantRanges.layerName(p.prefix))")
            }
            p.range = (r.lo, r.hi)
        }
    }
}
