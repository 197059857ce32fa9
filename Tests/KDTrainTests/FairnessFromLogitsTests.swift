// FairnessFromLogitsTests: evaluation metrics accumulated from logits give the confusion matrix worked by
// hand and, from it, the per-class fairness figures (support, accuracy, standard error, worst class).

import KDJSON
import KDReport
import KDTensor
import KDTrain
import XCTest

final class FairnessFromLogitsTests: XCTestCase {
    /// Logits `[N, K]` predicting `predicted[i]` for image i (logit 2 there, 0 elsewhere).
    func logits(_ predicted: [Int], classes k: Int) -> Tensor {
        var values = [Float](repeating: 0, count: predicted.count * k)
        for (i, p) in predicted.enumerated() { values[i * k + p] = 2 }
        return Tensor(shape: [predicted.count, k], scalars: values)
    }

    func testMetricsFromLogitsMatchTheHandComputedConfusionMatrix() throws {
        // Hand-computed confusion (rows true, columns predicted), class 3 absent from the split:
        // [[8, 1, 1, 0], [0, 5, 0, 0], [2, 2, 4, 2], [0, 0, 0, 0]].
        let confusion = [[8, 1, 1, 0], [0, 5, 0, 0], [2, 2, 4, 2], [0, 0, 0, 0]]
        var labels: [Int32] = [], predicted: [Int] = []
        for (y, row) in confusion.enumerated() {
            for (p, count) in row.enumerated() {
                labels += Array(repeating: Int32(y), count: count)
                predicted += Array(repeating: p, count: count)
            }
        }
        var acc = MetricsAccumulator(numClasses: 4)
        // Two batches, so that sums over batches are exercised.
        acc.add(logits: logits(Array(predicted[..<11]), classes: 4), labels: Array(labels[..<11]))
        acc.add(logits: logits(Array(predicted[11...]), classes: 4), labels: Array(labels[11...]))
        let m = acc.result
        XCTAssertEqual(m.confusion, confusion)
        XCTAssertEqual(m.top1, 17.0 / 25.0, accuracy: 1e-12)
        let f = m.fairness(classNames: ["a", "b", "c", "d"])
        XCTAssertEqual(f.support, [10, 5, 10, 0])
        XCTAssertEqual(f.accuracy, [0.8, 1.0, 0.4, nil])
        XCTAssertEqual(f.standardError[0]!, 0.016.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(f.standardError[2]!, 0.024.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(f.meanPerClass!, 2.2 / 3, accuracy: 1e-15)
        XCTAssertEqual(f.worstClass?.index, 2)
        // The old per-class list says 0 for the empty class; the fairness object says null and leaves it out.
        XCTAssertEqual(m.perClassAccuracy, [0.8, 1.0, 0.4, 0])
        let json = f.json()
        XCTAssertEqual(json["per_class_accuracy"], [0.8, 1.0, 0.4, nil])
        XCTAssertEqual(json["worst_class"], 2)
        XCTAssertEqual(json["class_names"], ["a", "b", "c", "d"])
    }
}
