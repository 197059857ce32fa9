// FairnessEndToEndTests: per-class figures from the command line (beyond.md 3.1, 3.5): summary.json's
// `fairness`, `teacher_fairness` and `val_fairness`, `eval --per-class` with a teacher, and
// `report --fairness` finding the one-hot student of a distilled run among real runs.

import Foundation
import TestSupport
import XCTest

final class FairnessEndToEndTests: CLITestCase {
    func testSummaryEvalAndReportCarryPerClassFigures() throws {
        try Self.requireFashionMNIST()
        var config = FastConfig.object(epochs: 1, ["model": "lenet5"])
        var data = config["data"] as! [String: Any]
        data["validation"] = 500
        config["data"] = data
        try writeJSON(config, to: "teacher.json")
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json", "--set", "output.dir=runs/teacher"])
        try kdistillOK([
            "--threads", "2", "train-teacher", "teacher.json", "--set", "model=mlp-100", "--set", "output.dir=runs/scratch",
        ])
        var student = config
        student["model"] = nil
        student["student"] = "mlp-100"
        student["teacher"] = "runs/teacher/latest.safetensors"
        student["method"] = ["name": "kd", "T": 4]
        try writeJSON(student, to: "kd.json")
        try kdistillOK(["--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/kd"])

        // summary.json: the student on test (with the gap to its teacher), the teacher, and validation.
        let summary = try readJSON("runs/kd/summary.json")
        let fairness = try XCTUnwrap(summary["fairness"] as? [String: Any], "\(summary.keys)")
        let support = try XCTUnwrap(fairness["support"] as? [Int])
        XCTAssertEqual(support.reduce(0, +), 1000, "test_limit 1000")
        let acc = try XCTUnwrap(fairness["per_class_accuracy"] as? [Double])
        XCTAssertEqual(acc.count, 10)
        XCTAssertEqual(fairness["worst_class_accuracy"] as? Double, acc.min())
        XCTAssertEqual((fairness["class_names"] as? [String])?.first, "T-shirt/top")
        let teacher = try XCTUnwrap(summary["teacher_fairness"] as? [String: Any])
        let teacherAcc = try XCTUnwrap(teacher["per_class_accuracy"] as? [Double])
        let gap = try XCTUnwrap((fairness["teacher_gap"] as? [String: Any])?["per_class"] as? [Double])
        for c in 0..<10 { XCTAssertEqual(gap[c], acc[c] - teacherAcc[c], accuracy: 1e-12) }
        let validation = try XCTUnwrap(summary["val_fairness"] as? [String: Any])
        XCTAssertEqual((validation["support"] as? [Int])?.reduce(0, +), 500)
        XCTAssertNil(try readJSON("runs/scratch/summary.json")["teacher_fairness"], "no teacher, no teacher figures")

        // eval: the JSON always carries them; --per-class prints the table with the teacher's column.
        let eval = try Self.parseObject(
            try kdistillOK([
                "--threads", "2", "eval", "runs/kd/latest.safetensors", "--teacher", "runs/teacher/latest.safetensors",
                "--limit", "500", "--json",
            ]).stdout, source: "eval")
        let evalFairness = try XCTUnwrap(eval["fairness"] as? [String: Any])
        XCTAssertEqual(evalFairness["per_class_accuracy"] as? [Double], eval["per_class_accuracy"] as? [Double])
        XCTAssertEqual(((eval["teacher"] as? [String: Any])?["per_class_accuracy"] as? [Double])?.count, 10)
        let table = try kdistillOK([
            "--threads", "2", "eval", "runs/kd/latest.safetensors", "--teacher", "runs/teacher/latest.safetensors",
            "--limit", "500", "--per-class",
        ]).stdout
        let header = try XCTUnwrap(table.split(separator: "\n").first { $0.hasPrefix("class ") }, table)
        XCTAssertTrue(header.hasSuffix("n  accuracy (%)  teacher (%)  gap (pp)"), table)
        XCTAssertTrue(table.contains("Ankle boot   50  "), table)
        XCTAssertTrue(table.contains("worst-3 mean"), table)

        // report --fairness: the scratch mlp is the distilled mlp's one-hot student, not the lenet5 teacher.
        let report = try kdistillOK(["report", "runs", "--by", "model,method", "--fairness", "--out", "rep"]).stdout
        XCTAssertTrue(report.contains("S_ce is model=mlp-100, method=labels"), report)
        XCTAssertTrue(report.contains("### Distillation effect against the one-hot student"), report)
        for file in ["fairness.md", "fairness.csv", "fairness-classes.csv", "fairness-classes.svg"] {
            XCTAssertTrue(exists("rep/" + file), file)
        }
        XCTAssertTrue(exists("rep/fairness-counts.svg"), "every run writes train_class_counts: a_c against log n_train_c")
        let misuse = try kdistill(["report", "runs", "--fairness-baseline", "x"])
        XCTAssertEqual(misuse.status, 2, misuse.stderr)
    }
}
