// FewLabelsEndToEndTests: `data.labeled` from the command line on real Fashion-MNIST: a teacher
// trained on the labelled images alone, a student distilled on every image with CE on the labelled
// ones (two streams), labeled.json in both run directories, and methods that need every label refused.

import Foundation
import TestSupport
import XCTest

final class FewLabelsEndToEndTests: CLITestCase {
    func testTeacherOnTheLabelsAndStudentOnEveryImage() throws {
        try Self.requireFashionMNIST()
        let labeled: [String: Any] = ["count": 200, "seed": 5]
        var teacher = FastConfig.object(epochs: 2, ["model": "lenet5"])
        var data = teacher["data"] as! [String: Any]
        (data["validation"], data["labeled"]) = (200, labeled)
        teacher["data"] = data
        try writeJSON(teacher, to: "teacher.json")
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json"])

        // The teacher saw the 200 labelled images and nothing else, every epoch.
        let record = try readJSON("runs/teacher/labeled.json")
        XCTAssertEqual(record["count"] as? Int, 200)
        XCTAssertEqual(record["per_class"] as? [Int], Array(repeating: 20, count: 10), "class-balanced")
        XCTAssertEqual(record["training_images"] as? Int, 2000, "data.limit, after the 200 held out for validation")
        let published = try XCTUnwrap(record["published_indices"] as? [Int])
        XCTAssertEqual(Set(published).count, 200)
        for line in try readJSONLines("runs/teacher/metrics.jsonl") {
            XCTAssertEqual(line["labeled_seen"] as? Int, 200, "\(line)")
        }

        // The student: KD on all 2,000 images, 8 labelled in each batch of 32.
        var student = FastConfig.object(
            epochs: 1, ["student": "lenet5", "teacher": "runs/teacher/best.safetensors", "method": ["name": "kd"]])
        data["labeled"] = ["count": 200, "seed": 5, "per_batch": 8]
        student["data"] = data
        try writeJSON(student, to: "student.json")
        let summary = try Self.parseObject(
            try kdistillOK(["--threads", "2", "distill", "student.json", "--json"]).stdout, source: "stdout")
        XCTAssertGreaterThan(summary["test_acc"] as? Double ?? 0, 0.4, "\(summary)")
        let line = try XCTUnwrap(try readJSONLines("runs/student/metrics.jsonl").first)
        XCTAssertEqual(
            line["labeled_seen"] as? Int, 8 * 75, "1,800 unlabelled images in 75 batches of 24, each with 8 labelled: \(line)")
        XCTAssertNotNil(line["kd"])
        let studentRecord = try readJSON("runs/student/labeled.json")
        XCTAssertEqual(studentRecord["published_indices"] as? [Int], published, "the same seed labels the same images")
        let config = try readJSON("runs/student/config.json")
        let resolved = try XCTUnwrap((config["data"] as? [String: Any])?["labeled"] as? [String: Any])
        XCTAssertEqual(resolved["ce_reduction"] as? String, "batch", "the resolved config shows the default")

        // dkd reads every sample's target class: refused with one line naming the reason.
        let refused = try kdistill(["--threads", "2", "distill", "student.json", "--method", "dkd"])
        assertInputError(refused, mentions: ["dkd", "data.labeled"])
    }
}
