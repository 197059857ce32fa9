// CalibrateBiasTests: `kdistill calibrate-bias` end to end on a tiny real Fashion-MNIST run (mlp, one
// epoch, a validation hold-out): val-grid and prior choices, the corrected checkpoint (metadata, logits
// shifted by δ in the listed class only, loads with `kdistill eval`), and every bad input as one line.

import Foundation
import TestSupport
import XCTest

final class CalibrateBiasTests: CLITestCase {
    func testCalibrateBiasOnATinyRun() throws {
        try Self.requireFashionMNIST()
        var config = FastConfig.object(epochs: 1, testLimit: 500, ["model": "mlp-64"])
        config["data"] = [
            "dataset": "fashion-mnist", "dir": Self.fashionMNIST, "limit": 2000, "validation": 1000, "test_limit": 500,
        ]
        try writeJSON(config, to: "t.json")
        try kdistillOK(["--threads", "2", "train-teacher", "t.json"])

        // val-grid (default) on the best checkpoint.
        let r = try kdistillOK(["--threads", "2", "calibrate-bias", "runs/t", "--classes", "3", "--json"])
        let record = try Self.parseObject(r.stdout, source: "stdout")
        XCTAssertEqual(record as NSDictionary, try readJSON("runs/t/calibration.json") as NSDictionary)
        XCTAssertEqual(record["mode"] as? String, "val-grid")
        XCTAssertEqual(record["classes"] as? [Int], [3])
        XCTAssertEqual(record["bias"] as? String, "fc2.bias")
        XCTAssertEqual(record["validation_images"] as? Int, 1000)
        let delta = try XCTUnwrap(record["delta"] as? Double)
        XCTAssertTrue(abs(delta) <= 10 && abs(delta / 0.05 - (delta / 0.05).rounded()) < 1e-3, "δ on the grid: \(delta)")
        let before = try XCTUnwrap(record["val_acc_before"] as? Double), after = try XCTUnwrap(record["val_acc_after"] as? Double)
        XCTAssertGreaterThan(before, 0.3, "the mlp learned something")
        XCTAssertGreaterThanOrEqual(after, before - 0.001, "the grid includes δ = 0")

        // The corrected file: the source's metadata plus `calibration`, and logits shifted by δ in class 3 only.
        let metadata = try Self.safetensorsMetadata(absolute("runs/t/bias-corrected.safetensors"))
        XCTAssertEqual(metadata["model"], "mlp-64")
        let calibration = try Self.parseObject(try XCTUnwrap(metadata["calibration"]), source: "calibration")
        XCTAssertEqual(calibration["delta"] as? Double, delta)
        XCTAssertEqual(calibration["val_acc_after"] as? Double, after)
        let shifted = try predictions("runs/t/bias-corrected.safetensors", "corrected.csv")
        let original = try predictions("runs/t/best.safetensors", "best.csv")
        XCTAssertEqual(shifted.count, 200)
        for (s, o) in zip(shifted, original) {
            for c in 0..<10 { XCTAssertEqual(s[c] - o[c], c == 3 ? delta : 0, accuracy: 1e-4, "class \(c)") }
        }
        let text = try kdistillOK(["--threads", "2", "calibrate-bias", "runs/t", "--classes", "3", "--checkpoint", "latest"])
        XCTAssertEqual(text.stdoutLines.count, 1, "\(text)")
        XCTAssertTrue(text.stdout.contains("classes 3: δ") && text.stdout.contains("bias-corrected.safetensors"), "\(text)")

        // prior: label-free; the mass of classes 3 and 5 reaches their share of the training labels.
        let prior = try Self.parseObject(
            try kdistillOK(["--threads", "2", "calibrate-bias", "runs/t", "--classes", "3,5", "--mode", "prior", "--json"])
                .stdout,
            source: "prior")
        let target = try XCTUnwrap(prior["target_mass"] as? Double)
        XCTAssertEqual(target, 0.2, accuracy: 0.05, "about 2/10 of a near-balanced training split")
        XCTAssertEqual(prior["mass_after"] as? Double ?? -1, target, accuracy: 1e-5)
        XCTAssertEqual(prior["classes"] as? [Int], [3, 5])

        // Bad input: one line each, exit status 2.
        assertInputError(try kdistill(["calibrate-bias", "runs/t", "--classes", "10"]), mentions: ["--classes", "0..<10", "10"])
        assertInputError(try kdistill(["calibrate-bias", "runs/t", "--classes", "3,3"]), mentions: ["--classes", "distinct"])
        assertInputError(try kdistill(["calibrate-bias", "runs/t", "--classes", "a"]), mentions: ["--classes", "'a'"])
        assertInputError(try kdistill(["calibrate-bias", "runs/t"]), mentions: ["--classes", "required"])
        assertInputError(
            try kdistill(["calibrate-bias", "runs/t", "--classes", "3", "--mode", "test"]), mentions: ["--mode", "'test'"])
        assertInputError(
            try kdistill(["calibrate-bias", "runs/t", "--classes", "3", "--checkpoint", "nope.safetensors"]),
            mentions: ["--checkpoint", "nope.safetensors"])
        assertInputError(
            try kdistill(["calibrate-bias", "runs/none", "--classes", "3"]), mentions: ["runs/none", "config.json"])
        // A run that held out no validation split is refused: δ is never chosen on the test set.
        var noValidation = try readJSON("runs/t/config.json")
        var data = try XCTUnwrap(noValidation["data"] as? [String: Any])
        data["validation"] = 0
        noValidation["data"] = data
        try writeJSON(noValidation, to: "runs/noval/config.json")
        try FileManager.default.copyItem(
            atPath: absolute("runs/t/best.safetensors"), toPath: absolute("runs/noval/best.safetensors"))
        assertInputError(
            try kdistill(["calibrate-bias", "runs/noval", "--classes", "3"]), mentions: ["data.validation", "test set"])
        XCTAssertFalse(exists("runs/noval/bias-corrected.safetensors"))
    }

    /// Logits of the first 200 test images under `checkpoint` (via `eval --predictions`).
    func predictions(_ checkpoint: String, _ csv: String) throws -> [[Double]] {
        try kdistillOK(["--threads", "2", "eval", checkpoint, "--limit", "200", "--predictions", csv, "--json"])
        let lines = try String(contentsOfFile: absolute(csv), encoding: .utf8).split(separator: "\n").dropFirst()
        return lines.map { $0.split(separator: ",").dropFirst(3).map { Double($0) ?? .nan } }
    }

    /// The `__metadata__` of a safetensors file (8-byte little-endian header length, then the JSON header).
    static func safetensorsMetadata(_ path: String) throws -> [String: String] {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try parseObject(String(decoding: bytes.dropFirst(8).prefix(length), as: UTF8.self), source: path)
        return header["__metadata__"] as? [String: String] ?? [:]
    }
}
