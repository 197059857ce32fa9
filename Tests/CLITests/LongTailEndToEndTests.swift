// LongTailEndToEndTests: the fairness options from the command line on real Fashion-MNIST: a teacher
// trained on a long-tailed subset (`data.imbalance`: imbalance.json, train_class_counts), then a student
// distilled on the same subset with kd's class_adaptive (r_c from the teacher's validation accuracy).

import Foundation
import TestSupport
import XCTest

final class LongTailEndToEndTests: CLITestCase {
    func testLongTailedTeacherAndClassAdaptiveStudent() throws {
        try Self.requireFashionMNIST()
        // 500 held out for validation, a class-stratified limit of 2,000 (200 a class), then ratio 10 with
        // shirts (6) last: 200 · 10^(−i/9) images at position i.
        let order = [0, 1, 2, 3, 4, 5, 7, 8, 9, 6]
        var teacher = FastConfig.object(epochs: 1, ["model": "lenet5"])
        var data = teacher["data"] as! [String: Any]
        (data["validation"], data["imbalance"]) = (500, ["ratio": 10, "order": order, "seed": 4])
        teacher["data"] = data
        try writeJSON(teacher, to: "teacher.json")
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json"])

        let profile = [200, 154, 119, 92, 71, 55, 43, 33, 25, 20]
        var expected = [Int](repeating: 0, count: 10)
        for (position, c) in order.enumerated() { expected[c] = profile[position] }
        let summary = try readJSON("runs/teacher/summary.json")
        XCTAssertEqual(summary["train_class_counts"] as? [Int], expected, "\(summary)")
        let record = try readJSON("runs/teacher/imbalance.json")
        XCTAssertEqual(record["per_class"] as? [Int], expected)
        XCTAssertEqual(record["n_max"] as? Int, 200)
        XCTAssertEqual(record["training_images"] as? Int, 2000, "the limit, after the validation hold-out")
        let published = try XCTUnwrap(record["published_indices"] as? [Int])
        XCTAssertEqual(Set(published).count, expected.reduce(0, +))
        let seen = try XCTUnwrap(try readJSONLines("runs/teacher/metrics.jsonl").first?["val_acc"] as? Double)
        XCTAssertGreaterThan(seen, 0.2, "validation stays balanced and is learnt from the subset")

        // The student: kd with class_adaptive (gamma 2) on the same subset.
        var student = FastConfig.object(
            epochs: 1,
            [
                "student": "lenet5", "teacher": "runs/teacher/best.safetensors",
                "method": ["name": "kd", "class_adaptive": ["gamma": 2]],
            ])
        student["data"] = data
        try writeJSON(student, to: "student.json")
        let r = try kdistillOK(["--threads", "2", "distill", "student.json"])
        XCTAssertTrue(r.stderr.contains("class_adaptive: r_c "), r.stderr)
        let studentSummary = try readJSON("runs/student/summary.json")
        XCTAssertEqual(studentSummary["train_class_counts"] as? [Int], expected)
        let block = try XCTUnwrap(studentSummary["class_adaptive"] as? [String: Any], "\(studentSummary)")
        let reliability = try XCTUnwrap(block["reliability"] as? [Double])
        let accuracy = try XCTUnwrap(block["teacher_val_class_acc"] as? [Double])
        XCTAssertEqual(reliability.count, 10)
        XCTAssertEqual(reliability.max(), 1, "the best class keeps plain kd")
        let top = accuracy.max() ?? 1
        for (r, a) in zip(reliability, accuracy) { XCTAssertEqual(r, (a / top) * (a / top), accuracy: 1e-12) }
        XCTAssertEqual(block["gamma"] as? Double, 2)
        XCTAssertNotNil(try readJSONLines("runs/student/metrics.jsonl").first?["ce_adaptive"])
        XCTAssertEqual(try readJSON("runs/student/imbalance.json")["published_indices"] as? [Int], published, "same subset")

        // Without a validation split there is nothing to measure the teacher on: one line naming the key.
        let refused = try kdistill(["--threads", "2", "distill", "student.json", "--set", "data.validation=0"])
        assertInputError(refused, mentions: ["method.class_adaptive", "data.validation"])
    }
}
