// Evaluate+Quantized: `kdistill eval` of an int8 checkpoint (written by `kdistill quantize`): the same
// report as for a float one (accuracy, NLL, calibration, per class, confusion, speed), computed with the
// int8 kernels; teachers and robustness need float networks and are refused in one line.

import Foundation
import KDData
import KDNN
import KDQuant
import KDSupport
import KDTensor

extension Evaluate {
    /// The report of int8 checkpoint `file`.
    static func runQuantized(_ file: ModelCheckpoint, teacher: String?, data choice: DataChoice, robustness: RobustnessChoice?)
        throws -> JSONValue
    {
        guard teacher == nil, robustness == nil else {
            throw RunInputError(
                "\(file.path): an int8 checkpoint is evaluated on its own: expected no --teacher and no robustness options, found "
                    + (teacher != nil ? "--teacher" : "robustness options"))
        }
        guard let split = Split(rawValue: choice.split) else {
            throw RunInputError("--split: expected train or test, found '\(choice.split)'")
        }
        let model = try QuantizedFile.load(file)
        let data = try CheckpointImages.load(
            file, spec: model.spec, datasetName: choice.dataset, directory: choice.directory, split: split, limit: choice.limit)
        let loader = try data.loader(batchSize: choice.batchSize)
        var acc = MetricsAccumulator(numClasses: model.spec.numClasses)
        var seconds = 0.0
        var lines = ["index,label,predicted," + (0..<model.spec.numClasses).map { "logit_\($0)" }.joined(separator: ",")]
        for b in 0..<loader.numBatches {
            let batch = loader.batch(epoch: 0, index: b)
            let t0 = Date()
            let logits = try model.forward(batch.images)
            seconds += Date().timeIntervalSince(t0)
            acc.add(logits: logits, labels: batch.labels)
            guard choice.predictionsPath != nil else { continue }
            let predicted = Quantize.predictions(logits), k = logits.shape[1]
            for (r, index) in batch.indices.enumerated() {
                let row = (0..<k).map { "\(logits.data[r * k + $0])" }.joined(separator: ",")
                lines.append("\(index),\(batch.labels[r]),\(predicted[r]),\(row)")
            }
        }
        if let path = choice.predictionsPath {
            do { try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: path) } catch {
                throw RunError("\(path): cannot write the predictions (\(error))")
            }
        }
        let metrics = acc.result
        var report = JSONObject()
        report["checkpoint"] = .string(file.path)
        report["model"] = .string(model.spec.name)
        report["quantized"] = .string("int8")
        report["dataset"] = .string(data.dataset.rawValue)
        report["split"] = .string(split.rawValue)
        report["images"] = .int(metrics.count)
        if let view = data.view { report["view"] = .string(view) }
        report["epoch"] = file.metadata.epoch.map { .int($0) } ?? .null
        add(metrics, to: &report)
        report["parameters"] = .int(model.layers.values.reduce(0) { $0 + $1.weights.count + $1.bias.count })
        report["file_bytes"] = .int(Quantize.fileSize(file.path))
        report["images_per_s"] = .number((Double(metrics.count) / max(seconds, 1e-9)).rounded())
        report["class_names"] = .array(data.images.classNames.map { .string($0) })
        FairnessEntries.add(student: metrics, teacher: nil, classNames: data.images.classNames, to: &report)
        return .object(report)
    }
}
