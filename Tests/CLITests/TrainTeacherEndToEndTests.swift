// TrainTeacherEndToEndTests: `train-teacher` of lenet5 on a real Fashion-MNIST subset: accuracy well
// above chance, the run directory of docs/formats.md (resolved config, one metrics line per epoch with the
// required keys, latest/best checkpoints, summary), `--json`, and `eval` of its checkpoint (text and JSON).

import Foundation
import TestSupport
import XCTest

/// The small, fast-learning setup shared by the end-to-end tests (Adam, batch 32, 2,000 images).
enum FastConfig {
    /// A config object for lenet5-sized runs on Fashion-MNIST (`extra` keys added or replaced).
    static func object(epochs: Int = 3, testLimit: Int? = 1000, _ extra: [String: Any] = [:]) -> [String: Any] {
        var data: [String: Any] = ["dataset": "fashion-mnist", "limit": 2000]
        if let testLimit { data["test_limit"] = testLimit }
        var c: [String: Any] = [
            "seed": 0, "data": data, "optimizer": ["name": "adam", "lr": 0.002], "schedule": ["name": "cosine"],
            "epochs": epochs, "batch_size": 32,
        ]
        c.merge(extra) { $1 }
        return c
    }

    /// Keys every metrics.jsonl line has (docs/formats.md).
    static let metricKeys = ["epoch", "lr", "train_loss", "train_acc", "elapsed_s", "images_per_s"]
}

final class TrainTeacherEndToEndTests: CLITestCase {
    func testTrainTeacherWritesTheRunAndEvalAgrees() throws {
        try Self.requireFashionMNIST()
        try writeJSON(FastConfig.object(testLimit: nil, ["model": "lenet5"]), to: "teacher.json")
        let r = try kdistillOK(["--threads", "2", "train-teacher", "teacher.json", "--set", "epochs=2", "--json"])
        let printed = try Self.parseObject(r.stdout, source: "stdout")
        let summary = try readJSON("runs/teacher/summary.json")
        XCTAssertEqual(printed as NSDictionary, summary as NSDictionary, "--json prints summary.json")

        // summary.json
        let acc = try XCTUnwrap(summary["test_acc"] as? Double)
        XCTAssertGreaterThan(acc, 0.5, "lenet5 should learn Fashion-MNIST: \(summary)")
        XCTAssertEqual(summary["status"] as? String, "completed")
        XCTAssertEqual(summary["model"] as? String, "lenet5")
        XCTAssertEqual(summary["dataset"] as? String, "fashion-mnist")
        XCTAssertEqual(summary["epochs"] as? Int, 2)
        for key in ["best_test_acc", "best_epoch", "parameters", "flops_per_image", "wall_time_s"] {
            XCTAssertNotNil(summary[key], "summary.json lacks \(key)")
        }
        XCTAssertGreaterThan(summary["parameters"] as? Int ?? 0, 10_000)

        // config.json: resolved, with defaults and the override.
        let config = try readJSON("runs/teacher/config.json")
        XCTAssertEqual(config["epochs"] as? Int, 2)
        XCTAssertEqual((config["model"] as? [String: Any])?["name"] as? String, "lenet5")
        for key in ["eval_batch_size", "label_smoothing", "stop_on_nonfinite", "schedule", "output", "seed"] {
            XCTAssertNotNil(config[key], "config.json lacks the default \(key)")
        }
        XCTAssertEqual((config["optimizer"] as? [String: Any])?["weight_decay"] as? Double, 0.0005)

        // metrics.jsonl: one line per epoch with the required keys.
        let lines = try readJSONLines("runs/teacher/metrics.jsonl")
        XCTAssertEqual(lines.map { $0["epoch"] as? Int }, [1, 2])
        for line in lines {
            for key in FastConfig.metricKeys + ["ce", "test_acc"] {
                XCTAssertNotNil(line[key], "metrics line lacks \(key): \(line)")
            }
        }
        XCTAssertEqual(lines.last?["test_acc"] as? Double, acc)
        for file in ["latest.safetensors", "best.safetensors"] { XCTAssertTrue(exists("runs/teacher/" + file), file) }
        XCTAssertTrue(r.stderr.contains("epoch 2/2"), "progress goes to stderr: \(r)")

        // Human-readable line without --json.
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json", "--set", "epochs=1", "--set", "output.dir=one"])
            .stdoutLines.last.map {
                XCTAssertTrue($0.contains("lenet5") && $0.contains("test "), $0)
                // No validation split: the line says the best checkpoint was chosen on the test split.
                XCTAssertTrue($0.contains("chosen on test)"), $0)
            }

        // eval of the final checkpoint: same model, same test set, so the same accuracy.
        let report = try Self.parseObject(
            try kdistillOK(["--threads", "2", "eval", "runs/teacher/latest.safetensors", "--json"]).stdout, source: "eval --json")
        XCTAssertEqual(report["model"] as? String, "lenet5")
        XCTAssertEqual(report["images"] as? Int, 10_000)
        XCTAssertEqual(report["epoch"] as? Int, 2)
        XCTAssertEqual(report["top1"] as? Double ?? -1, acc, accuracy: 0.002)
        XCTAssertEqual((report["per_class_accuracy"] as? [Any])?.count, 10)
        XCTAssertEqual((report["confusion"] as? [[Int]])?.joined().reduce(0, +), 10_000)
        for key in ["top5", "nll", "ece", "parameters", "flops_per_image", "class_names"] { XCTAssertNotNil(report[key], key) }

        let text = try kdistillOK([
            "--threads", "2", "eval", "runs/teacher/latest.safetensors", "--teacher", "runs/teacher/latest.safetensors",
        ])
        XCTAssertTrue(text.stdout.contains(String(format: "top-1 %.2f%%", acc * 100)), "\(text)")
        XCTAssertTrue(text.stdout.contains("agreement 100.00%"), "\(text)")
        XCTAssertTrue(text.stdout.contains("T-shirt") || text.stdout.contains("Trouser"), "class names: \(text)")
    }
}
