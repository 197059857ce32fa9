// QuantizeCLITests: `kdistill quantize` end to end on a lenet5 trained for one epoch on a Fashion-MNIST
// subset: calibration on 256 images, the summary and table, eval of the int8 checkpoint with the int8
// kernels, the QDQ ONNX export checked by the interpreter, the stored-ranges path, and one-line errors.

import Foundation
import TestSupport
import XCTest

final class QuantizeCLITests: CLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try Self.requireFashionMNIST()
        try writeJSON(FastConfig.object(epochs: 1, testLimit: 500, ["model": "lenet5"]), to: "t.json")
        try kdistillOK(["--threads", "2", "train-teacher", "t.json"])
    }

    func testQuantizeEvalAndExport() throws {
        let r = try kdistillOK([
            "--threads", "2", "quantize", "runs/t/best.safetensors", "--calibration", "256", "--limit", "500", "--json",
        ])
        let s = try Self.parseObject(r.stdout, source: "stdout")
        XCTAssertEqual(s["path"] as? String, "runs/t/best.int8.safetensors")
        XCTAssertEqual(s["ranges_from"] as? String, "calibration")
        XCTAssertEqual(s["calibration_images"] as? Int, 256)
        XCTAssertEqual(s["layers"] as? Int, 5)
        let float = try XCTUnwrap(s["float"] as? [String: Any]), int8 = try XCTUnwrap(s["int8"] as? [String: Any])
        let floatTop1 = try XCTUnwrap(float["top1"] as? Double), int8Top1 = try XCTUnwrap(int8["top1"] as? Double)
        XCTAssertGreaterThan(floatTop1, 0.6)
        XCTAssertLessThan(abs(floatTop1 - int8Top1), 0.03)
        XCTAssertGreaterThan(try XCTUnwrap(s["agreement"] as? Double), 0.95)
        XCTAssertLessThan(try XCTUnwrap(int8["bytes"] as? Int) * 3, try XCTUnwrap(float["bytes"] as? Int))

        let e = try kdistillOK(["--threads", "2", "eval", "runs/t/best.int8.safetensors", "--limit", "500", "--json"])
        let report = try Self.parseObject(e.stdout, source: "stdout")
        XCTAssertEqual(report["quantized"] as? String, "int8")
        XCTAssertEqual(try XCTUnwrap(report["top1"] as? Double), int8Top1, accuracy: 1e-9, "eval runs the stored int8 model")
        let text = try kdistillOK(["eval", "runs/t/best.int8.safetensors", "--limit", "100"])
        XCTAssertTrue(text.stdout.contains("int8 (int8 kernels)"), text.stdout)

        let x = try kdistillOK(["export", "runs/t/best.int8.safetensors", "--json"])
        let summary = try Self.parseObject(x.stdout, source: "stdout")
        XCTAssertEqual(summary["path"] as? String, "runs/t/best.int8.onnx")
        XCTAssertEqual(summary["quantization"] as? String, "QDQ int8")
        XCTAssertLessThanOrEqual(try XCTUnwrap(summary["self_check_difference"] as? Double), 2e-2)
        XCTAssertTrue(exists("runs/t/best.int8.onnx"))
        // int8 weights: well under the float export's size (no float copy of the layers' weights left in).
        let floatONNX = try Self.parseObject(
            try kdistillOK(["export", "runs/t/best.safetensors", "--json"]).stdout, source: "stdout")
        XCTAssertLessThan(try XCTUnwrap(summary["bytes"] as? Int) * 3, try XCTUnwrap(floatONNX["bytes"] as? Int))
        let line = try kdistillOK(["export", "runs/t/best.int8.safetensors", "--out", "q.onnx"]).stdout
        XCTAssertTrue(line.contains("as ONNX QDQ int8 opset 17") && line.contains("of the int8 kernels'"), line)

        // An int8 checkpoint is not a float one: as a teacher, one line.
        assertInputError(
            try kdistill(["eval", "runs/t/best.safetensors", "--teacher", "runs/t/best.int8.safetensors", "--limit", "10"]),
            mentions: ["best.int8.safetensors"])
    }

    /// The float checkpoint's safetensors header with `key` = `value` added to its `__metadata__`, written to `out`.
    func withMetadata(_ path: String, _ key: String, _ value: String, to out: String) throws {
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: absolute(path))))
        let n = (0..<8).reduce(0) { $0 | Int(b[$1]) << (8 * $1) }
        var header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(b[8..<(8 + n)])) as? [String: Any])
        var meta = header["__metadata__"] as? [String: String] ?? [:]
        meta[key] = value
        header["__metadata__"] = meta
        let json = [UInt8](try JSONSerialization.data(withJSONObject: header))
        let length = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
        try TinyDatasetFiles.write(length + json + Array(b[(8 + n)...]), to: absolute(out))
    }

    func testStoredRangesAreUsedWithoutCalibration() throws {
        let calibrated = try Self.parseObject(
            try kdistillOK([
                "--threads", "2", "quantize", "runs/t/best.safetensors", "--calibration", "128", "--limit", "300", "--json",
            ])
            .stdout, source: "stdout")
        // Quantization-aware training stores ranges under kdistill.quant_ranges: here, the ones just calibrated.
        let int8 = [UInt8](try Data(contentsOf: URL(fileURLWithPath: absolute("runs/t/best.int8.safetensors"))))
        let n = (0..<8).reduce(0) { $0 | Int(int8[$1]) << (8 * $1) }
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(int8[8..<(8 + n)])) as? [String: Any])
        let ranges = try XCTUnwrap((header["__metadata__"] as? [String: String])?["kdistill.quant_ranges"])
        try withMetadata("runs/t/best.safetensors", "kdistill.quant_ranges", ranges, to: "qat.safetensors")
        let r = try kdistillOK(["--threads", "2", "quantize", "qat.safetensors", "--limit", "300"])
        XCTAssertTrue(r.stdout.contains("the checkpoint's kdistill.quant_ranges"), r.stdout)
        let s = try Self.parseObject(
            try kdistillOK(["--threads", "2", "quantize", "qat.safetensors", "--limit", "300", "--json"]).stdout, source: "stdout"
        )
        XCTAssertEqual(s["ranges_from"] as? String, "checkpoint")
        XCTAssertEqual(
            (s["int8"] as? [String: Any])?["top1"] as? Double, (calibrated["int8"] as? [String: Any])?["top1"] as? Double)
        // An explicit --calibration wins over stored ranges; ranges missing a layer are one line.
        let c = try Self.parseObject(
            try kdistillOK(["quantize", "qat.safetensors", "--calibration", "32", "--limit", "50", "--json"]).stdout,
            source: "stdout")
        XCTAssertEqual(c["ranges_from"] as? String, "calibration")
        try withMetadata("runs/t/best.safetensors", "kdistill.quant_ranges", #"{"conv1":[0,1]}"#, to: "partial.safetensors")
        assertInputError(
            try kdistill(["quantize", "partial.safetensors"]), mentions: ["kdistill.quant_ranges", "found none for"])
    }

    func testTextOutputAndErrors() throws {
        let r = try kdistillOK([
            "--threads", "2", "quantize", "runs/t/best.safetensors", "--calibration", "64", "--method", "percentile",
            "--limit", "200", "--out", "q.safetensors",
        ])
        XCTAssertTrue(r.stdout.contains("calibrated on 64 training images, percentile 99.99"), r.stdout)
        XCTAssertTrue(r.stdout.contains("wrote q.safetensors"), r.stdout)
        XCTAssertTrue(
            r.stdoutLines.contains { $0.hasPrefix("float ") } && r.stdoutLines.contains { $0.hasPrefix("int8 ") }, r.stdout)
        assertInputError(
            try kdistill(["quantize", "runs/t/best.safetensors"]), mentions: ["--calibration", "kdistill.quant_ranges"])
        assertInputError(
            try kdistill(["quantize", "runs/t/best.safetensors", "--calibration", "8", "--method", "mean"]),
            mentions: ["--method", "mean"])
        assertInputError(try kdistill(["quantize", "q.safetensors", "--calibration", "8"]), mentions: ["q.safetensors", "int8"])
    }
}
