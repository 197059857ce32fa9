// ClassificationMetrics: accumulates top-1/top-5 accuracy, per-class accuracy, the confusion matrix,
// negative log-likelihood and expected calibration error (15 equal-width confidence bins, Guo et al. 2017).

import Foundation
import KDTensor

/// Evaluation figures of one model on one labelled set.
public struct ClassificationMetrics: Codable, Equatable {
    public var count: Int
    public var top1: Double
    public var top5: Double
    public var nll: Double
    public var ece: Double
    /// Accuracy per true class (NaN-free: 0 for a class with no examples).
    public var perClassAccuracy: [Double]
    /// `confusion[true][predicted]` counts.
    public var confusion: [[Int]]

    enum CodingKeys: String, CodingKey {
        case count, top1, top5, nll, ece
        case perClassAccuracy = "per_class_accuracy"
        case confusion
    }
}

/// Collects predictions batch by batch.
public struct MetricsAccumulator {
    public let numClasses: Int
    public static let calibrationBins = 15
    private var count = 0, top1 = 0, top5 = 0
    private var nll = 0.0
    private var confusion: [[Int]]
    private var binCount: [Int], binCorrect: [Int], binConfidence: [Double]

    public init(numClasses: Int) {
        self.numClasses = numClasses
        confusion = Array(repeating: Array(repeating: 0, count: numClasses), count: numClasses)
        binCount = Array(repeating: 0, count: Self.calibrationBins)
        binCorrect = binCount
        binConfidence = Array(repeating: 0, count: Self.calibrationBins)
    }

    /// Adds a batch of logits `[B, K]` with their labels.
    public mutating func add(logits: Tensor, labels: [Int32]) {
        let (b, k) = (logits.shape[0], logits.shape[1])
        let z = logits.data
        for i in 0..<b {
            let row = z + i * k
            let y = Int(labels[i])
            var best = 0
            var m = row[0]
            for j in 1..<k where row[j] > m { m = row[j]; best = j }
            var sum = 0.0
            for j in 0..<k { sum += exp(Double(row[j] - m)) }
            let logZ = Double(m) + log(sum)
            nll += logZ - Double(row[y])
            // Top-5: the label is among the five largest logits (ties broken towards the label's favour is avoided:
            // count strictly larger logits).
            var larger = 0
            for j in 0..<k where row[j] > row[y] { larger += 1 }
            if larger < 5 { top5 += 1 }
            if best == y { top1 += 1 }
            confusion[y][best] += 1
            let confidence = 1 / sum
            let bin = Swift.min(Self.calibrationBins - 1, Int(confidence * Double(Self.calibrationBins)))
            binCount[bin] += 1
            binConfidence[bin] += confidence
            if best == y { binCorrect[bin] += 1 }
            count += 1
        }
    }

    /// The figures so far.
    public var result: ClassificationMetrics {
        let n = Double(Swift.max(count, 1))
        var ece = 0.0
        for b in 0..<Self.calibrationBins where binCount[b] > 0 {
            let c = Double(binCount[b])
            ece += c / n * abs(Double(binCorrect[b]) / c - binConfidence[b] / c)
        }
        let perClass = confusion.enumerated().map { i, row -> Double in
            let total = row.reduce(0, +)
            return total == 0 ? 0 : Double(row[i]) / Double(total)
        }
        return ClassificationMetrics(
            count: count, top1: Double(top1) / n, top5: Double(top5) / n, nll: nll / n, ece: ece,
            perClassAccuracy: perClass, confusion: confusion)
    }
}

/// Teacher–student agreement (same top-1 prediction) and mean KL(teacher ‖ student) at T = 1.
public struct AgreementAccumulator {
    private var count = 0, agree = 0
    private var kl = 0.0

    public init() {}

    /// Adds one batch of teacher and student logits `[B, K]`.
    public mutating func add(teacher: Tensor, student: Tensor) {
        let (b, k) = (teacher.shape[0], teacher.shape[1])
        let lt = noGrad { teacher.logSoftmax() }, ls = noGrad { student.logSoftmax() }
        for i in 0..<b {
            let t = lt.data + i * k, s = ls.data + i * k
            var bt = 0, bs = 0
            for j in 1..<k {
                if t[j] > t[bt] { bt = j }
                if s[j] > s[bs] { bs = j }
            }
            if bt == bs { agree += 1 }
            for j in 0..<k { kl += exp(Double(t[j])) * Double(t[j] - s[j]) }
            count += 1
        }
    }

    /// Fraction of images where both predict the same class.
    public var agreement: Double { Double(agree) / Double(Swift.max(count, 1)) }
    /// Mean KL divergence per image.
    public var meanKL: Double { kl / Double(Swift.max(count, 1)) }
}
