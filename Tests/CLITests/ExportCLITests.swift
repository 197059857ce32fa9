// ExportCLITests: `kdistill export` end to end on a lenet5 trained for one epoch on a tiny MNIST: the
// ONNX file, its summary line and JSON (metadata, placements, self-check), the flags, a checkpoint
// without kdistill metadata (with --model and --data), and each bad input as one line with status 2.

import Foundation
import TestSupport
import XCTest

final class ExportCLITests: CLITestCase {
    var data = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        data = dir + "/mnist"
        try TinyDatasetFiles.writeMNIST(directory: data, trainCount: 64, testCount: 32, gzip: false)
        try writeJSON(
            ["data": ["dataset": "mnist", "dir": data], "model": "lenet5", "epochs": 1, "batch_size": 32], to: "t.json")
        try kdistillOK(["train-teacher", "t.json"])
    }

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: absolute(path)))) }

    func testExportWritesAnONNXFileBesideTheCheckpoint() throws {
        let r = try kdistillOK(["export", "runs/t/best.safetensors"])
        XCTAssertTrue(r.stdout.hasPrefix("runs/t/best.onnx: lenet5 (mnist) as ONNX opset 17"), r.stdout)
        XCTAssertTrue(r.stdout.contains("normalisation folded, batch norm folded, batch dynamic"), r.stdout)
        // ModelProto field 1 (ir_version) = 8, then field 2 (producer_name) "kdistill".
        XCTAssertEqual(Array(try bytes("runs/t/best.onnx").prefix(12)), [0x08, 0x08, 0x12, 0x08] + Array("kdistill".utf8))
    }

    func testJSONSummaryAndFlags() throws {
        let r = try kdistillOK([
            "export", "runs/t/best.safetensors", "--out", "nodes.onnx", "--normalization", "nodes", "--batch", "16",
            "--keep-batch-norm", "--json",
        ])
        let s = try Self.parseObject(r.stdout, source: "stdout")
        XCTAssertEqual(s["path"] as? String, "nodes.onnx")
        XCTAssertEqual(s["batch"] as? Int, 16)
        XCTAssertEqual(s["normalization_in_graph"] as? String, "nodes")
        XCTAssertLessThanOrEqual(try XCTUnwrap(s["self_check_difference"] as? Double), 1e-4)
        let meta = try XCTUnwrap(s["metadata"] as? [String: String])
        XCTAssertEqual(meta["model"], "lenet5")
        XCTAssertEqual(meta["dataset"], "mnist")
        XCTAssertEqual(meta["class_names"], #"["0","1","2","3","4","5","6","7","8","9"]"#)
        XCTAssertEqual(meta["source_checkpoint"], "runs/t/best.safetensors")
        XCTAssertEqual(meta["source_checkpoint_hash"]?.count, 32)
        XCTAssertNotNil(meta["normalization"]?.range(of: #"{"mean":["#))
        XCTAssertTrue(exists("nodes.onnx"))
        XCTAssertEqual(s["bytes"] as? Int, try bytes("nodes.onnx").count)
    }

    func testCheckpointWithoutMetadataNeedsModelAndData() throws {
        // The same tensors with the safetensors header's __metadata__ removed (a PyTorch save_file export).
        let b = try bytes("runs/t/best.safetensors")
        let n = (0..<8).reduce(0) { $0 | Int(b[$1]) << (8 * $1) }
        var header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(b[8..<(8 + n)])) as? [String: Any])
        header["__metadata__"] = nil
        let json = [UInt8](try JSONSerialization.data(withJSONObject: header))
        let length = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
        try TinyDatasetFiles.write(length + json + Array(b[(8 + n)...]), to: dir + "/plain.safetensors")
        assertInputError(try kdistill(["export", "plain.safetensors"]), mentions: ["plain.safetensors", "--model"])
        assertInputError(
            try kdistill(["export", "plain.safetensors", "--model", "lenet5"]), mentions: ["plain.safetensors", "--data"])
        let r = try kdistillOK([
            "export", "plain.safetensors", "--model", "lenet5", "--data", "mnist", "--data-dir", data, "--json",
        ])
        let meta = try XCTUnwrap(try Self.parseObject(r.stdout, source: "stdout")["metadata"] as? [String: String])
        XCTAssertEqual(meta["model"], "lenet5")
        XCTAssertNotNil(meta["normalization"], "fitted on the training split, as eval does")
    }

    func testBadInputsAreOneLine() throws {
        let ckpt = "runs/t/best.safetensors"
        assertInputError(try kdistill(["export", ckpt, "--format", "tflite"]), mentions: ["--format", "onnx", "tflite"])
        assertInputError(try kdistill(["export", "missing.safetensors"]), mentions: ["missing.safetensors", "no such file"])
        try write("not a checkpoint", to: "bad.safetensors")
        assertInputError(try kdistill(["export", "bad.safetensors"]), mentions: ["bad.safetensors"])
        assertInputError(try kdistill(["export", ckpt, "--batch", "0"]), mentions: ["--batch", "'0'"])
        assertInputError(try kdistill(["export", ckpt, "--batch", "some"]), mentions: ["--batch", "'some'"])
        assertInputError(try kdistill(["export", ckpt, "--normalization", "inside"]), mentions: ["--normalization", "'inside'"])
        assertInputError(try kdistill(["export", ckpt, "--data", "imagenet"]), mentions: ["imagenet"])
        XCTAssertFalse(exists("runs/t/best.onnx"))
    }
}
