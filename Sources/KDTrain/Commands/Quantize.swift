// Quantize: `kdistill quantize CHECKPOINT`: post-training int8 quantization (KDQuant, Int8Scheme) of a
// float checkpoint, written as an int8 checkpoint, then compared with the float model on the test split:
// accuracy, file size, images/s (same batches for both) and agreement of their predicted classes.

import Foundation
import KDData
import KDNN
import KDQuant
import KDTensor

/// Post-training quantization.
public enum Quantize {
    /// What to quantize and how.
    public struct Choice {
        /// Calibration images (from the training split); nil: use the checkpoint's `kdistill.quant_ranges`.
        public var calibration: Int?
        var method: CalibrationMethod = .minMax
        /// Where to write (default: the checkpoint's path with `.int8.safetensors`).
        public var out: String?
        /// Test images compared (nil: the whole test split) and the batch size of both models.
        public var limit: Int?
        public var batchSize = 256
        public var dataset: String?
        public var directory: String?
        public init() {}

        /// `minmax`, or `percentile` with `percentile` in (50, 100] (default 99.99); the message of a
        /// bad value is returned for the command to report as a usage error.
        public mutating func setMethod(_ name: String, percentile: Double?) -> String? {
            switch name {
            case "minmax":
                guard percentile == nil else { return "--percentile: only with --method percentile" }
                method = .minMax
            case "percentile":
                let p = percentile ?? 99.99
                guard p > 50, p <= 100 else { return "--percentile: expected a number in (50, 100], found \(p)" }
                method = .percentile(Float(p))
            default: return "--method: expected minmax or percentile, found '\(name)'"
            }
            return nil
        }
    }

    /// The ranges' source and the ranges: an explicit `--calibration N` calibrates on N training images;
    /// without it the checkpoint's `kdistill.quant_ranges` (written by quantization-aware training) are
    /// used; a checkpoint without them needs `--calibration`.
    static func ranges(
        _ file: ModelCheckpoint, program: FoldedProgram, _ choice: Choice, train: () throws -> CheckpointImages
    ) throws -> (ranges: [String: QuantRange], provenance: QuantizedFile.Provenance) {
        if let n = choice.calibration {
            let data = try train()
            let loader = try data.loader(batchSize: choice.batchSize)
            let batches = (0..<loader.numBatches).map { loader.batch(epoch: 0, index: $0).images }
            let ranges = try Calibration.ranges(program, batches: batches, method: choice.method)
            return (ranges, .init(calibration: choice.method.name, images: min(n, data.images.count), source: file.path))
        }
        guard let text = file.metadata.extra[QuantRanges.metadataKey] else {
            throw RunInputError(
                "\(file.path): expected activation ranges: --calibration N, or __metadata__.\(QuantRanges.metadataKey) "
                    + "(quantization-aware training), found neither")
        }
        let ranges = try QuantRanges.decode(text, source: file.path)
        let names = program.layers.values.map(\.name).sorted()
        if let missing = names.first(where: { ranges[$0] == nil }) {
            throw RunInputError(
                "\(file.path): __metadata__.\(QuantRanges.metadataKey): expected a range for every layer (\(names.count)), "
                    + "found none for '\(missing)' (give --calibration N to calibrate instead)")
        }
        return (ranges, .init(calibration: "checkpoint", images: 0, source: file.path))
    }

    /// Quantizes `checkpoint`; returns the summary (paths, ranges' source, the float/int8 comparison).
    public static func run(checkpoint: String, _ choice: Choice) throws -> JSONValue {
        let file = try ModelCheckpoint(path: checkpoint)
        let model = try file.model(fallback: nil, hint: "quantize needs a kdistill checkpoint")
        let program = try FoldedProgram(model: model)
        let (ranges, provenance) = try Self.ranges(file, program: program, choice) {
            try CheckpointImages.load(
                file, spec: model.spec, datasetName: choice.dataset, directory: choice.directory, split: .train,
                limit: choice.calibration)
        }
        let out =
            choice.out ?? (checkpoint.hasSuffix(".safetensors") ? String(checkpoint.dropLast(12)) : checkpoint)
            + ".int8.safetensors"
        guard out != checkpoint else {
            throw RunInputError("--out: expected a path other than the float checkpoint, found '\(out)'")
        }
        let quantized = try QuantizedModel(program: program, ranges: ranges)
        try QuantizedFile.write(
            quantized, metadata: QuantizedFile.metadata(base: file.file.metadata, provenance: provenance, ranges: ranges), to: out
        )
        let stored = try QuantizedFile.load(try ModelCheckpoint(path: out))  // what is measured is what was written
        let test = try CheckpointImages.load(
            file, spec: model.spec, datasetName: choice.dataset, directory: choice.directory, split: .test, limit: choice.limit)
        let cmp = try compare(model, stored, try test.loader(batchSize: choice.batchSize))
        var summary = JSONObject()
        summary["path"] = .string(out)
        summary["source"] = .string(checkpoint)
        summary["model"] = .string(model.spec.name)
        summary["dataset"] = .string(test.dataset.rawValue)
        summary["scheme"] = .string(QuantizedFile.scheme)
        summary["ranges_from"] = .string(provenance.calibration == "checkpoint" ? "checkpoint" : "calibration")
        summary["calibration"] = .string(provenance.calibration)
        summary["calibration_images"] = .int(provenance.images)
        summary["layers"] = .int(quantized.layers.count)
        summary["test_images"] = .int(cmp.images)
        summary["batch_size"] = .int(choice.batchSize)
        summary["agreement"] = .number(cmp.agreement)
        summary["float"] = row(top1: cmp.floatTop1, bytes: fileSize(checkpoint), speed: cmp.floatSpeed)
        // A quantization-aware checkpoint loads fake-quantized: its "float" row is the int8-simulated network.
        let simulated = file.metadata.extra[FakeQuantization.schemeKey] == FakeQuantization.scheme
        summary["float_model"] = .string(simulated ? "int8-simulated" : "float")
        summary["int8"] = row(top1: cmp.int8Top1, bytes: fileSize(out), speed: cmp.int8Speed)
        return .object(summary)
    }

    static func row(top1: Double, bytes: Int, speed: Double) -> JSONValue {
        ["top1": .number(top1), "bytes": .int(bytes), "images_per_s": .number(speed.rounded())]
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Float and int8 accuracy, speed and agreement over the same batches.
    struct Comparison {
        var images = 0
        var floatTop1 = 0.0, int8Top1 = 0.0, agreement = 0.0
        var floatSpeed = 0.0, int8Speed = 0.0
    }

    static func compare(_ model: Model, _ quantized: QuantizedModel, _ loader: BatchLoader) throws -> Comparison {
        var floatCorrect = 0, int8Correct = 0, same = 0, n = 0
        var floatTime = 0.0, int8Time = 0.0
        for b in 0..<loader.numBatches {
            let batch = loader.batch(epoch: 0, index: b)
            var t0 = Date()
            let zf = noGrad { model.forward(batch.images, .eval).logits }
            floatTime += Date().timeIntervalSince(t0)
            t0 = Date()
            let zq = try quantized.forward(batch.images)
            int8Time += Date().timeIntervalSince(t0)
            let pf = predictions(zf), pq = predictions(zq)
            for (i, label) in batch.labels.enumerated() {
                floatCorrect += pf[i] == Int(label) ? 1 : 0
                int8Correct += pq[i] == Int(label) ? 1 : 0
                same += pf[i] == pq[i] ? 1 : 0
            }
            n += batch.labels.count
        }
        let count = Double(max(n, 1))
        return Comparison(
            images: n, floatTop1: Double(floatCorrect) / count, int8Top1: Double(int8Correct) / count,
            agreement: Double(same) / count,
            floatSpeed: Double(n) / max(floatTime, 1e-9), int8Speed: Double(n) / max(int8Time, 1e-9))
    }

    /// The arg-max of each row of logits `[N, K]`.
    static func predictions(_ logits: Tensor) -> [Int] {
        let k = logits.shape[1]
        return (0..<logits.shape[0]).map { r in
            var best = 0
            for j in 1..<k where logits.data[r * k + j] > logits.data[r * k + best] { best = j }
            return best
        }
    }
}
