// BestSelectionTests: no test data in training decisions. Pipelines (BAN generations, TAKD's student)
// learn from the previous run's last checkpoint unless a validation split chose its best; summary.json
// names the split that chose `best`; a teacher chosen on the test set is flagged on stderr.

import Foundation
import TestSupport
import XCTest

final class BestSelectionTests: CLITestCase {
    var data = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        data = dir + "/mnist"
        try TinyDatasetFiles.writeMNIST(directory: data, trainCount: 160, testCount: 48, gzip: false)
    }

    /// A two-epoch mlp config on the tiny MNIST with `validation` held-out images and `extra` keys.
    func config(validation: Int, _ extra: [String: Any]) -> [String: Any] {
        var c: [String: Any] = [
            "data": ["dataset": "mnist", "dir": data, "validation": validation], "student": "mlp-16", "epochs": 2,
            "batch_size": 32, "optimizer": ["name": "adam", "lr": 0.01],
        ]
        c.merge(extra) { $1 }
        return c
    }

    /// The `teachers` of each run in summary.json's `runs`, by run name.
    func teachersOfRuns(_ summary: [String: Any]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for run in summary["runs"] as? [[String: Any]] ?? [] {
            out[run["run"] as? String ?? "?"] = run["teachers"] as? [String] ?? []
        }
        return out
    }

    func testWithoutValidationPipelinesLearnFromTheLastCheckpoint() throws {
        try writeJSON(config(validation: 0, ["method": ["name": "ban", "generations": 2]]), to: "ban.json")
        try kdistillOK(["--threads", "1", "distill", "ban.json"])
        let summary = try readJSON("runs/ban/summary.json")
        let teachers = teachersOfRuns(summary)
        XCTAssertEqual(teachers["gen0"], [], "gen0 learns from the labels")
        XCTAssertEqual(teachers["gen1"], ["runs/ban/gen0/latest.safetensors"], "not the test-selected best")
        XCTAssertEqual(teachers["gen2"], ["runs/ban/gen1/latest.safetensors"])
        XCTAssertEqual(summary["best_selected_on"] as? String, "test")
        for run in summary["runs"] as? [[String: Any]] ?? [] {
            XCTAssertEqual(run["best_selected_on"] as? String, "test", "\(run["run"] ?? "?")")
        }
        XCTAssertEqual(try readJSON("runs/ban/gen1/summary.json")["best_selected_on"] as? String, "test")

        // TAKD from a test-selected teacher: one warning (for the configured teacher); the student learns
        // from the assistant's last checkpoint, which is not flagged.
        let takd = config(
            validation: 0,
            [
                "teacher": "runs/ban/gen0/best.safetensors", "student": "mlp-8",
                "method": ["name": "takd", "assistant": "mlp-16"],
            ])
        try writeJSON(takd, to: "takd.json")
        let r = try kdistillOK(["--threads", "1", "distill", "takd.json"])
        let warnings = r.stderrLines.filter { $0.contains("selected on the test set") }
        XCTAssertEqual(warnings.count, 1, "\(r)")
        XCTAssertTrue(warnings.first?.contains("runs/ban/gen0/best.safetensors") ?? false, "\(warnings)")
        XCTAssertTrue(warnings.first?.contains("latest.safetensors") ?? false, "names the way out: \(warnings)")
        XCTAssertEqual(
            teachersOfRuns(try readJSON("runs/takd/summary.json"))["student"], ["runs/takd/assistant/latest.safetensors"])
    }

    func testWithValidationPipelinesLearnFromTheBestOnValidation() throws {
        try writeJSON(config(validation: 32, ["method": ["name": "ban", "generations": 1]]), to: "ban.json")
        let r = try kdistillOK(["--threads", "1", "distill", "ban.json"])
        let summary = try readJSON("runs/ban/summary.json")
        XCTAssertEqual(teachersOfRuns(summary)["gen1"], ["runs/ban/gen0/best.safetensors"])
        XCTAssertEqual(summary["best_selected_on"] as? String, "validation")
        for run in summary["runs"] as? [[String: Any]] ?? [] {
            XCTAssertEqual(run["best_selected_on"] as? String, "validation", "\(run["run"] ?? "?")")
            XCTAssertNotNil(run["best_val_acc"])
        }
        XCTAssertFalse(r.stderr.contains("selected on the test set"), "\(r)")

        // A teacher whose best was chosen on validation is not flagged.
        try writeJSON(
            config(validation: 0, ["teacher": "runs/ban/gen1/best.safetensors", "method": "kd"]), to: "kd.json")
        let kd = try kdistillOK(["--threads", "1", "distill", "kd.json"])
        XCTAssertFalse(kd.stderr.contains("selected on the test set"), "\(kd)")
        XCTAssertEqual(try readJSON("runs/kd/summary.json")["best_selected_on"] as? String, "test")
    }
}
