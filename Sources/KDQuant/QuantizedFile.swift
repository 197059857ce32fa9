// QuantizedFile: an int8 model as a safetensors checkpoint. Per layer `<layer>.weight` I8 (the folded
// weight's shape), `.weight_scale` F32 [O], `.bias` I32 [O], `.input_scale` F32 [1], `.input_zero_point`
// U8 [1]; float constants still read (kept batch norms) as `float.<name>` F32; the float checkpoint's
// metadata plus `kdistill.quantized` (scheme, calibration) and `kdistill.quant_ranges` (the ranges used).

import KDJSON
import KDNN
import KDTensor

/// Reading and writing int8 checkpoints.
public enum QuantizedFile {
    /// The scheme tag stored in `kdistill.quantized`.
    public static let scheme =
        "int8: weights int8 symmetric per output channel [-127,127]; activations uint8 per tensor; bias int32"

    /// How the activation ranges were obtained, for the file's metadata.
    public struct Provenance: Sendable {
        /// `minmax`, `percentile 99.99`, or `checkpoint` (the float checkpoint's `kdistill.quant_ranges`).
        public var calibration: String
        /// Calibration images (0 when the ranges came from the checkpoint).
        public var images: Int
        /// The float checkpoint.
        public var source: String
        public init(calibration: String, images: Int, source: String) {
            (self.calibration, self.images, self.source) = (calibration, images, source)
        }
    }

    /// The metadata of an int8 checkpoint: `base` (the float checkpoint's) plus the quantization keys.
    public static func metadata(base: [String: String], provenance: Provenance, ranges: [String: QuantRange]) -> [String: String]
    {
        var out = base
        var q = JSONObject()
        q["scheme"] = .string(scheme)
        q["calibration"] = .string(provenance.calibration)
        q["images"] = .int(provenance.images)
        q["source"] = .string(provenance.source)
        out[QuantizedCheckpoint.metadataKey] = JSONValue.object(q).formatted(.compact)
        out[QuantRanges.metadataKey] = QuantRanges.encode(ranges)
        return out
    }

    /// The ranges a model was quantized with (its layers' input parameters, as lo/hi).
    public static func ranges(_ model: QuantizedModel) -> [String: QuantRange] {
        model.layers.mapValues { l in
            QuantRange(lo: l.input.dequantize(0), hi: l.input.dequantize(255))
        }
    }

    /// Writes `model` with `metadata` to `path` atomically.
    public static func write(_ model: QuantizedModel, metadata: [String: String], to path: String) throws {
        var tensors: [(name: String, tensor: Tensor)] = []
        var dtypes: [String: SafetensorsDType] = [:]
        func add(_ name: String, _ shape: [Int], _ values: [Float], _ dtype: SafetensorsDType) {
            tensors.append((name, Tensor(shape: shape, scalars: values)))
            dtypes[name] = dtype
        }
        for name in model.layerNames {
            guard let l = model.layers[name] else { continue }
            add(name + ".weight", l.weightShape, l.weights.map(Float.init), .I8)
            add(name + ".weight_scale", [l.outChannels], l.weightScales, .F32)
            add(name + ".bias", [l.outChannels], l.bias.map(Float.init), .I32)
            add(name + ".input_scale", [1], [l.input.scale], .F32)
            add(name + ".input_zero_point", [1], [Float(l.input.zeroPoint)], .U8)
        }
        for name in model.floatConstants.keys.sorted() {
            guard let t = model.floatConstants[name] else { continue }
            add("float." + name, t.shape, t.scalars, .F32)
        }
        try SafetensorsFile(tensors: tensors, metadata: metadata, dtypes: dtypes).write(to: path)
    }

    /// The int8 model in `checkpoint` (a file with `kdistill.quantized`); every missing or mis-shaped
    /// tensor is a one-line CheckpointError.
    public static func load(_ checkpoint: ModelCheckpoint) throws -> QuantizedModel {
        let path = checkpoint.path
        guard QuantizedCheckpoint.isQuantized(checkpoint.metadata) else {
            throw CheckpointError(
                path, "__metadata__.\(QuantizedCheckpoint.metadataKey)", expected: "an int8 checkpoint (kdistill quantize)",
                found: "no such key")
        }
        let spec = try checkpoint.metadata.modelSpec(source: path).plain
        let program = try FoldedProgram(model: try Zoo.build(spec, seed: 0))
        let file = checkpoint.file
        func tensor(_ name: String, _ shape: [Int], _ dtype: SafetensorsDType) throws -> [Float] {
            guard let t = file.tensor(named: name) else {
                throw CheckpointError(path, name, expected: "a \(dtype.rawValue) tensor of shape \(shape)", found: "no such key")
            }
            let stored = file.dtypes[name] ?? .F32
            guard t.shape == shape, stored == dtype else {
                throw CheckpointError(
                    path, name, expected: "\(dtype.rawValue) of shape \(shape)", found: "\(stored.rawValue) of shape \(t.shape)")
            }
            let values = t.scalars
            guard values.allSatisfy(\.isFinite) else {
                throw CheckpointError(path, name, expected: "finite values", found: "a NaN or infinity")
            }
            return values
        }
        var layers: [String: QuantizedLayer] = [:]
        for l in program.layers.values {
            let o = l.weightShape[0]
            let w = try tensor(l.name + ".weight", l.weightShape, .I8)
            let scales = try tensor(l.name + ".weight_scale", [o], .F32)
            let bias = try tensor(l.name + ".bias", [o], .I32)
            let inScale = try tensor(l.name + ".input_scale", [1], .F32)[0]
            let zero = try tensor(l.name + ".input_zero_point", [1], .U8)[0]
            guard inScale > 0, scales.allSatisfy({ $0 > 0 }) else {
                throw CheckpointError(
                    path, l.name + ".weight_scale / .input_scale", expected: "positive scales", found: "a scale ≤ 0")
            }
            guard w.allSatisfy({ abs($0) <= Float(Int8Scheme.weightMax) }) else {
                throw CheckpointError(path, l.name + ".weight", expected: "int8 values in [-127, 127]", found: "-128")
            }
            layers[l.name] = QuantizedLayer(
                name: l.name, kind: l.kind, weightShape: l.weightShape, weights: w.map { Int8($0) }, weightScales: scales,
                bias: bias.map { Int32($0) }, input: QuantParams(scale: inScale, zeroPoint: Int32(zero), qmin: 0, qmax: 255))
        }
        var constants: [String: Tensor] = [:]
        for name in program.floatConstantNames {
            guard let shape = program.constants[name]?.shape else { continue }
            constants[name] = Tensor(shape: shape, scalars: try tensor("float." + name, shape, .F32))
        }
        let known = Set(
            program.layers.values.flatMap { l in
                ["weight", "weight_scale", "bias", "input_scale", "input_zero_point"].map { l.name + "." + $0 }
            } + constants.keys.map { "float." + $0 })
        if let extra = file.tensors.first(where: { !known.contains($0.name) }) {
            throw CheckpointError(
                path, extra.name, expected: "only the tensors of an int8 \(spec.name)", found: "an unexpected tensor",
                hint: "a file of another model?")
        }
        return try QuantizedModel(program: program, layers: layers, floatConstants: constants)
    }
}
