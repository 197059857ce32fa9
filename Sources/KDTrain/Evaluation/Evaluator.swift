// Evaluator: runs a model (and optionally a teacher) over a loader in evaluation mode, without
// gradients, and collects classification metrics, agreement and inference speed.

import Foundation
import KDData
import KDNN
import KDTensor

/// Evaluation passes over labelled batches.
public enum Evaluator {
    /// Top-1 accuracy of `model` on `loader`.
    public static func accuracy(_ model: Model, _ loader: BatchLoader) -> Double {
        metrics(model, loader).top1
    }

    /// Full metrics of `model` on `loader`.
    public static func metrics(_ model: Model, _ loader: BatchLoader) -> ClassificationMetrics {
        var acc = MetricsAccumulator(numClasses: model.spec.numClasses)
        for b in 0..<loader.numBatches {
            let batch = loader.batch(epoch: 0, index: b)
            let logits = noGrad { model.forward(batch.images, .eval).logits }
            acc.add(logits: logits, labels: batch.labels)
        }
        return acc.result
    }

    /// The logits of `model` for every image of `loader`, in order: `[N, K]`.
    public static func logits(_ model: Model, _ loader: BatchLoader) -> Tensor {
        let k = model.spec.numClasses
        let out = Tensor(uninitialized: [loader.count, k])
        var row = 0
        for b in 0..<loader.numBatches {
            let batch = loader.batch(epoch: 0, index: b)
            let z = noGrad { model.forward(batch.images, .eval).logits }
            (out.data + row * k).update(from: z.data, count: z.count)
            row += batch.labels.count
        }
        return out
    }

    /// Metrics of the averaged softmax of `models` (an ensemble of generations).
    public static func ensembleMetrics(_ models: [Model], _ loader: BatchLoader) -> ClassificationMetrics {
        var acc = MetricsAccumulator(numClasses: models[0].spec.numClasses)
        for b in 0..<loader.numBatches {
            let batch = loader.batch(epoch: 0, index: b)
            let mean = noGrad { () -> Tensor in
                let probs = models.map { $0.forward(batch.images, .eval).logits.softmax() }
                return probs.dropFirst().reduce(probs[0], +) * (1 / Float(models.count))
            }
            acc.add(logits: noGrad { mean.clamp(min: 1e-30).log() }, labels: batch.labels)
        }
        return acc.result
    }

    /// Student metrics plus agreement and KL with `teacher`, and both networks' inference speed.
    /// `teacherLogits`, when given, replaces running the teacher (its cached logits for a batch);
    /// `teacherLoader` holds the same images as the teacher reads them (its view), batch for batch.
    public static func compare(
        student: Model, teacher: Model?, _ loader: BatchLoader, teacherLogits: ((Batch) -> Tensor?)? = nil,
        teacherLoader: BatchLoader? = nil
    ) -> Comparison {
        var sAcc = MetricsAccumulator(numClasses: student.spec.numClasses)
        var tAcc = MetricsAccumulator(numClasses: student.spec.numClasses)
        var agreement = AgreementAccumulator()
        var studentTime = 0.0, teacherTime = 0.0
        for b in 0..<loader.numBatches {
            let batch = loader.batch(epoch: 0, index: b)
            var t0 = Date()
            let zs = noGrad { student.forward(batch.images, .eval).logits }
            studentTime += Date().timeIntervalSince(t0)
            sAcc.add(logits: zs, labels: batch.labels)
            if let teacher {
                t0 = Date()
                let zt =
                    teacherLogits?(batch)
                    ?? noGrad { teacher.forward((teacherLoader?.batch(epoch: 0, index: b) ?? batch).images, .eval).logits }
                teacherTime += Date().timeIntervalSince(t0)
                tAcc.add(logits: zt, labels: batch.labels)
                agreement.add(teacher: zt, student: zs)
            }
        }
        let n = Double(loader.count)
        return Comparison(
            student: sAcc.result, studentImagesPerSecond: n / max(studentTime, 1e-9),
            teacher: teacher == nil ? nil : tAcc.result,
            teacherImagesPerSecond: teacher == nil ? nil : n / max(teacherTime, 1e-9),
            agreement: teacher == nil ? nil : agreement.agreement, meanKL: teacher == nil ? nil : agreement.meanKL)
    }

    /// What `compare` found.
    public struct Comparison {
        public let student: ClassificationMetrics
        public let studentImagesPerSecond: Double
        public let teacher: ClassificationMetrics?
        public let teacherImagesPerSecond: Double?
        public let agreement: Double?
        public let meanKL: Double?
    }
}
