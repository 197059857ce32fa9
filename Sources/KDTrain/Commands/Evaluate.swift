// Evaluate: `kdistill eval CHECKPOINT`: accuracy (top-1/top-5, per class), confusion matrix, NLL,
// calibration, size, FLOPs and speed of a checkpoint; with a teacher, agreement, KL, compression
// and speed-up. The checkpoint's own normalisation is applied to the data.

import Foundation
import KDData
import KDNN
import KDSupport
import KDTensor

/// Checkpoint evaluation.
public enum Evaluate {
    /// Where the data comes from when the checkpoint does not say (or to override it).
    public struct DataChoice {
        public var dataset: String?
        public var directory: String?
        public var split: String
        public var limit: Int?
        public var batchSize: Int
        /// Architecture of a checkpoint without kdistill metadata (a PyTorch `save_file` export).
        public var model: String?
        /// Where to write one CSV line per image: index, label, prediction, logits.
        public var predictionsPath: String?
        public init(
            dataset: String? = nil, directory: String? = nil, split: String = "test", limit: Int? = nil, batchSize: Int = 1000,
            model: String? = nil, predictionsPath: String? = nil
        ) {
            (self.dataset, self.directory, self.split, self.limit, self.batchSize) = (dataset, directory, split, limit, batchSize)
            (self.model, self.predictionsPath) = (model, predictionsPath)
        }
    }

    /// How a user names the architecture of a checkpoint without kdistill metadata.
    static let modelHint = "name the architecture with --model (and the data with --data)"

    /// Evaluates `checkpoint` (and `teacher`) on the chosen data; returns the report as JSON.
    public static func run(
        checkpoint: String, teacher: String?, data choice: DataChoice, robustness: RobustnessChoice? = nil
    ) throws -> JSONValue {
        guard let split = Split(rawValue: choice.split) else {
            throw RunInputError("--split: expected train or test, found '\(choice.split)'")
        }
        let checkpointFile = try ModelCheckpoint(path: checkpoint)
        if QuantizedCheckpoint.isQuantized(checkpointFile.metadata) {
            return try runQuantized(checkpointFile, teacher: teacher, data: choice, robustness: robustness)
        }
        let header = checkpointFile.metadata
        guard let name = choice.dataset ?? header.dataset, let dataset = DatasetName(rawValue: name) else {
            throw RunInputError(
                "\(checkpoint): expected a dataset (checkpoint metadata or --data), found "
                    + (choice.dataset ?? header.dataset).map { "'\($0)'" }.orNone)
        }
        let directory = DatasetLoader.resolveDirectory(dataset, requested: choice.directory ?? "data/\(dataset.rawValue)")
        let labels: CIFAR100Labels = header.numClasses == 20 ? .coarse : .fine
        let file = try DatasetLoader.load(dataset, directory: directory, split: split, cifar100Labels: labels)
        var images = file
        let fallback = choice.model.map {
            ModelSpec(
                name: $0, inputShape: [images.channels, images.height, images.width],
                numClasses: images.numClasses)
        }
        let model = try checkpointFile.model(fallback: fallback, hint: modelHint)
        if let limit = choice.limit, limit < images.count { images = try images.limited(to: limit, seed: 0) }
        let sample = images  // data's own images of the evaluated samples, which each network reads through its view
        let source = EvalSource(dataset: dataset, directory: directory, labels: labels, split: split, file: file)
        // The view the checkpoint was trained on (data.student_view / student_data), applied to the same samples.
        let view = try DataView(metadata: header, source: checkpoint)
        images = try source.viewed(sample, view)
        guard images.imageShape == model.spec.inputShape, images.numClasses == model.spec.numClasses else {
            throw RunInputError(
                "\(checkpoint): expected data of shape \(model.spec.inputShape) with \(model.spec.numClasses) classes, "
                    + "found \(dataset.rawValue)\(view.isOriginal ? "" : " (\(view.summary))") \(images.imageShape) with \(images.numClasses)"
            )
        }
        let norm = try inputNormalization(header) { try source.fittedNormalization(view) }
        let loader = try BatchLoader(dataset: images, normalization: norm, batchSize: choice.batchSize, shuffle: false)
        let teacherFile = try teacher.map { try ModelCheckpoint(path: $0) }
        let teacherModel = try teacherFile?.model(fallback: nil, hint: modelHint)
        var teacherLoader: BatchLoader?  // the teacher's own view of the samples when it differs from the student's
        var teacherNorm = norm
        if let teacherModel, let teacherFile, let teacher {
            let teacherView = try DataView(metadata: teacherFile.metadata, source: teacher)
            let seen = teacherView == view ? images : try source.viewed(sample, teacherView)
            guard seen.imageShape == teacherModel.spec.inputShape, teacherModel.spec.numClasses == model.spec.numClasses else {
                throw RunInputError(
                    "\(teacher): expected a teacher for input \(seen.imageShape) with \(model.spec.numClasses) classes, "
                        + "found \(teacherModel.spec.name) for \(teacherModel.spec.inputShape) with \(teacherModel.spec.numClasses)"
                )
            }
            if teacherView != view {
                teacherNorm = try inputNormalization(teacherFile.metadata) { try source.fittedNormalization(teacherView) }
                teacherLoader = try BatchLoader(
                    dataset: seen, normalization: teacherNorm, batchSize: choice.batchSize, shuffle: false)
                if robustness != nil {
                    throw RunInputError(
                        "\(teacher): reads \(teacherView.summary), the student \(view.summary); robustness compares "
                            + "networks on one set of images: leave out --teacher")
                }
            }
        }
        let cmp = Evaluator.compare(student: model, teacher: teacherModel, loader, teacherLoader: teacherLoader)
        if let path = choice.predictionsPath { try writePredictions(model, loader, to: path) }
        var report = JSONObject()
        report["checkpoint"] = .string(checkpoint)
        report["model"] = .string(model.spec.name)
        report["dataset"] = .string(dataset.rawValue)
        report["split"] = .string(split.rawValue)
        report["images"] = .int(cmp.student.count)
        if !view.isOriginal { report["view"] = .string(view.summary) }
        report["epoch"] = header.epoch.map { .int($0) } ?? .null
        if header.extra[FakeQuantization.schemeKey] == FakeQuantization.scheme, header.extra[QuantRanges.metadataKey] != nil {
            report["quantize"] = .string(FakeQuantization.scheme)  // ModelCheckpoint.model ran it fake-quantized
            report["quantization"] = .string(
                "int8-simulated: per-channel int8 weights and uint8 conv/linear inputs (the checkpoint's "
                    + "\(QuantRanges.metadataKey)), fake-quantized in float")
        }
        add(cmp.student, to: &report)
        report["parameters"] = .int(model.parameterCount)
        report["flops_per_image"] = .int(model.flopsPerImage)
        report["images_per_s"] = .number(cmp.studentImagesPerSecond.rounded())
        report["class_names"] = .array(images.classNames.map { .string($0) })
        if let teacherModel, let t = cmp.teacher {
            var tr = JSONObject()
            tr["checkpoint"] = .string(teacher ?? "")
            tr["model"] = .string(teacherModel.spec.name)
            tr["top1"] = .number(t.top1)
            tr["top5"] = .number(t.top5)
            tr["nll"] = .number(t.nll)
            tr["parameters"] = .int(teacherModel.parameterCount)
            tr["flops_per_image"] = .int(teacherModel.flopsPerImage)
            tr["images_per_s"] = .number((cmp.teacherImagesPerSecond ?? 0).rounded())
            report["teacher"] = .object(tr)
            report["agreement"] = .number(cmp.agreement ?? 0)
            report["kl_teacher_student"] = .number(cmp.meanKL ?? 0)
            report["compression"] = .number(Double(teacherModel.parameterCount) / Double(max(model.parameterCount, 1)))
            report["speedup"] = .number(cmp.studentImagesPerSecond / max(cmp.teacherImagesPerSecond ?? 1, 1e-9))
        }
        FairnessEntries.add(student: cmp.student, teacher: cmp.teacher, classNames: images.classNames, to: &report)
        if let robustness {
            report["robustness"] = try robustnessBlock(
                robustness, dataset: dataset, student: RobustnessSubject(model: model, normalization: norm),
                teacher: try teacherModel.map { t in
                    let n = try teacherFile.flatMap { try checkpointNormalization($0, channels: t.spec.inputShape[0]) }
                    return RobustnessSubject(model: t, normalization: n ?? teacherNorm)
                },
                loader: loader, images: images)
        }
        return .object(report)
    }

    /// The checkpoint's normalisation; for a file without one, `fitted()`: the training images' (of the view the
    /// network reads), as kdistill trains.
    static func inputNormalization(
        _ header: CheckpointMetadata, fitted: () throws -> Normalization
    ) throws -> Normalization {
        try header.normalization.map { Normalization(mean: $0.mean, std: $0.std) } ?? fitted()
    }

    /// One CSV line per image: `index,label,predicted,logit_0,...` (index into the evaluated split).
    static func writePredictions(_ model: Model, _ loader: BatchLoader, to path: String) throws {
        var lines = ["index,label,predicted," + (0..<model.spec.numClasses).map { "logit_\($0)" }.joined(separator: ",")]
        for b in 0..<loader.numBatches {
            let batch = loader.batch(epoch: 0, index: b)
            let logits = noGrad { model.forward(batch.images, .eval).logits }
            let k = logits.shape[1]
            for (r, index) in batch.indices.enumerated() {
                let row = (0..<k).map { logits.data[r * k + $0] }
                let predicted = row.indices.max { row[$0] < row[$1] } ?? 0
                lines.append("\(index),\(batch.labels[r]),\(predicted)," + row.map { "\($0)" }.joined(separator: ","))
            }
        }
        do { try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: path) } catch {
            throw RunError("\(path): cannot write the predictions (\(error))")
        }
    }

    static func add(_ m: ClassificationMetrics, to report: inout JSONObject) {
        report["top1"] = .number(m.top1)
        report["top5"] = .number(m.top5)
        report["nll"] = .number(m.nll)
        report["ece"] = .number(m.ece)
        report["per_class_accuracy"] = .array(m.perClassAccuracy.map { .number($0) })
        report["confusion"] = .array(m.confusion.map { .array($0.map { .int($0) }) })
    }
}

extension Optional where Wrapped == String {
    /// The string, or "none".
    var orNone: String { self ?? "none" }
}
