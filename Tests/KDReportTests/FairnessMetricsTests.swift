// FairnessMetricsTests: the per-class figures of beyond.md 3.1 against a confusion matrix worked by hand
// (support, accuracy, binomial standard error, mean per-class, worst class, worst-k, the teacher gap),
// the rules that depend on K, and the `fairness` JSON object written and read back.

import KDJSON
import KDReport
import XCTest

final class FairnessMetricsTests: XCTestCase {
    /// Rows: true class; columns: predicted. Class 3 has no images.
    let student = [[8, 1, 1, 0], [0, 5, 0, 0], [2, 2, 4, 2], [0, 0, 0, 0]]
    let teacher = [[9, 1, 0, 0], [1, 4, 0, 0], [1, 1, 8, 0], [0, 0, 0, 0]]

    func testFiguresOfAHandComputedConfusionMatrix() throws {
        let f = ClassFairness(confusion: student, classNames: ["a", "b", "c", "d"])
        XCTAssertEqual(f.support, [10, 5, 10, 0])
        XCTAssertEqual(f.accuracy, [0.8, 1.0, 0.4, nil])
        // sqrt(0.8·0.2/10) = sqrt(0.016), sqrt(1·0/5) = 0, sqrt(0.4·0.6/10) = sqrt(0.024).
        let se = f.standardError
        XCTAssertEqual(se[0]!, 0.126_491_106_406_735_17, accuracy: 1e-15)
        XCTAssertEqual(se[1]!, 0)
        XCTAssertEqual(se[2]!, 0.154_919_333_848_296_68, accuracy: 1e-15)
        XCTAssertNil(se[3])
        XCTAssertEqual(f.meanPerClass!, 2.2 / 3, accuracy: 1e-15)  // (0.8 + 1 + 0.4) / 3 classes with images
        XCTAssertEqual(f.worstClass?.index, 2)
        XCTAssertEqual(f.worstClass?.accuracy, 0.4)
        // K = 4: k = 1 and ceil(12/10) = 2; the two lowest are 0.4 and 0.8.
        XCTAssertEqual(f.worstKMeans.map(\.k), [1, 2])
        XCTAssertEqual(f.worstKMeans[0].mean, 0.4)
        XCTAssertEqual(f.worstKMeans[1].mean, 0.6, accuracy: 1e-15)
    }

    func testGapToTheTeacher() throws {
        let s = ClassFairness(confusion: student), t = ClassFairness(confusion: teacher)
        XCTAssertEqual(t.accuracy, [0.9, 0.8, 0.8, nil])
        let gap = try XCTUnwrap(s.gap(to: t))
        // 0.8 − 0.9, 1 − 0.8, 0.4 − 0.8.
        for (g, want) in zip(gap.perClass, [-0.1, 0.2, -0.4]) { XCTAssertEqual(g!, want, accuracy: 1e-15) }
        XCTAssertNil(gap.perClass[3])
        XCTAssertEqual(gap.minimum?.index, 2)
        XCTAssertEqual(gap.minimum!.value, -0.4, accuracy: 1e-15)
        XCTAssertEqual(gap.meanAbsolute!, 0.7 / 3, accuracy: 1e-15)
        XCTAssertEqual(gap.mean!, -0.1, accuracy: 1e-15)
        XCTAssertNil(s.gap(to: ClassFairness(confusion: [[1]])), "different class counts")
    }

    func testRulesThatDependOnTheClassCount() {
        XCTAssertEqual(FairnessRule.worstK(classes: 10), [1, 3])
        XCTAssertEqual(FairnessRule.worstK(classes: 100), [1, 30])
        XCTAssertEqual(FairnessRule.worstK(classes: 20), [1, 6])
        XCTAssertEqual(FairnessRule.worstK(classes: 3), [1])
        let ten = FairnessRule.headMediumTail(classes: 10)
        XCTAssertEqual([ten.head, ten.medium, ten.tail], [0..<3, 3..<7, 7..<10])
        let two = FairnessRule.headMediumTail(classes: 2)
        XCTAssertEqual([two.head, two.medium, two.tail], [0..<1, 1..<1, 1..<2])
        XCTAssertEqual(FairnessRule.worstMean([0.9, 0.5, 0.7, 0.6], k: 3)!, 0.6, accuracy: 1e-15)
        XCTAssertNil(FairnessRule.worstMean([], k: 1))
        // About 0.01 at 1,000 test images (beyond.md 3.1): sqrt(0.9·0.1/1000) = 0.009487.
        XCTAssertEqual(FairnessRule.standardError(accuracy: 0.9, count: 1000), 0.009_486_832_980_505_138, accuracy: 1e-15)
    }

    func testJSONObjectRoundTrips() throws {
        let s = ClassFairness(confusion: student, classNames: ["a", "b", "c", "d"]), t = ClassFairness(confusion: teacher)
        let json = s.json(teacher: t)
        XCTAssertEqual(json["support"], [10, 5, 10, 0])
        XCTAssertEqual(json["per_class_accuracy"], [0.8, 1.0, 0.4, nil])
        XCTAssertEqual(json["worst_class"], 2)
        XCTAssertEqual(json["worst_class_accuracy"], 0.4)
        XCTAssertEqual(json["worst_k_mean"]?["1"], 0.4)
        XCTAssertEqual(json["worst_k_mean"]?["2"]?.doubleValue ?? 0, 0.6, accuracy: 1e-15)
        XCTAssertEqual(json["teacher_gap"]?["min_class"], 2)
        XCTAssertEqual(json["teacher_gap"]?["per_class"]?.arrayValue?.count, 4)
        XCTAssertEqual(json["class_names"], ["a", "b", "c", "d"])
        let back = try XCTUnwrap(ClassFairness(json: try JSONValue(parsing: json.formatted())))
        XCTAssertEqual(back, s)
        XCTAssertNil(ClassFairness(json: ["per_class_accuracy": [0.5]]), "no support")
    }
}
