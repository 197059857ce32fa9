// CheckpointErrorTests: bad checkpoints through `distill` (teacher), `eval` and `--resume`: truncated header
// or data, not safetensors, another model's weights (shape mismatch), other data, no metadata, missing
// file, broken resume state. Each is one `kdistill: ` line naming the file, exit status 2.

import Foundation
import TestSupport
import XCTest

final class CheckpointErrorTests: CLITestCase {
    var data = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        data = dir + "/mnist"
        try TinyDatasetFiles.writeMNIST(directory: data, trainCount: 64, testCount: 32, gzip: false)
    }

    /// Trains `model` for one epoch on the tiny MNIST into `runs/<name>`; returns its best checkpoint.
    func checkpoint(_ model: String, name: String) throws -> String {
        try writeJSON(
            ["data": ["dataset": "mnist", "dir": data], "model": model, "epochs": 1, "batch_size": 32], to: name + ".json")
        try kdistillOK(["train-teacher", name + ".json"])
        return dir + "/runs/\(name)/best.safetensors"
    }

    /// Runs a one-epoch lenet5 distillation from `teacher` (with optional `teacher.model`).
    func distill(from teacher: String, teacherModel: String? = nil) throws -> CLIResult {
        var t: [String: Any] = ["checkpoint": teacher]
        if let teacherModel { t["model"] = teacherModel }
        try writeJSON(
            ["data": ["dataset": "mnist", "dir": data], "student": "lenet5", "teacher": t, "method": "kd", "epochs": 1],
            to: "d.json")
        return try kdistill(["distill", "d.json"])
    }

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// The safetensors header length (first 8 bytes, little-endian).
    func headerLength(_ b: [UInt8]) -> Int { (0..<8).reduce(0) { $0 | Int(b[$1]) << (8 * $1) } }

    /// `b` with every `from` in its JSON header replaced by `to` (same length, so offsets stay valid).
    func replacingInHeader(_ b: [UInt8], _ from: String, _ to: String) -> [UInt8] {
        precondition(from.utf8.count == to.utf8.count)
        let end = 8 + headerLength(b)
        let header = String(decoding: b[8..<end], as: UTF8.self).replacingOccurrences(of: from, with: to)
        return Array(b[..<8]) + Array(header.utf8) + Array(b[end...])
    }

    func testCorruptFilesAsTeacherAndInEval() throws {
        let good = try bytes(try checkpoint("mlp-64", name: "t"))
        let n = headerLength(good)
        let files: [(String, [UInt8], [String])] = [
            ("truncated-header.safetensors", Array(good.prefix(8 + n / 2)), ["header", "truncated"]),
            ("truncated-data.safetensors", Array(good.dropLast(100)), ["data_offsets"]),
            ("short.safetensors", Array(good.prefix(5)), ["8 bytes"]),
            ("empty.safetensors", [], ["0 bytes"]),
            (
                "zip.safetensors", Array(String(repeating: "PK\u{3}\u{4} not a tensor file ", count: 8).utf8),
                ["not a safetensors file"]
            ),
            ("header.safetensors", [10, 0, 0, 0, 0, 0, 0, 0] + Array("{\"a\": [1,2".utf8), ["header"]),
            ("other-model.safetensors", replacingInHeader(good, "mlp-64", "mlp-32"), ["fc1.weight", "[32, 784]", "[64, 784]"]),
        ]
        for (name, content, mentions) in files {
            try TinyDatasetFiles.write(content, to: dir + "/" + name)
            assertInputError(try distill(from: name), mentions: [name] + mentions)
            assertInputError(try kdistill(["eval", name, "--data-dir", data]), mentions: [name] + mentions)
        }
        assertInputError(
            try kdistill(["eval", "runs/t/best.safetensors", "--data-dir", data, "--teacher", "other-model.safetensors"]),
            mentions: ["other-model.safetensors", "fc1.weight"])
    }

    func testMissingFiles() throws {
        assertInputError(try kdistill(["eval", "missing.safetensors"]), mentions: ["missing.safetensors", "no such file"])
        assertInputError(try distill(from: "missing.safetensors"), mentions: ["missing.safetensors", "no such file"])
        _ = try checkpoint("mlp-64", name: "t")
        assertInputError(try kdistill(["eval", "runs/t/best.safetensors", "--data-dir", "nowhere"]), mentions: ["nowhere"])
    }

    func testTeacherForOtherDataOrWithoutMetadata() throws {
        let cifar = dir + "/cifar"
        try TinyDatasetFiles.writeCIFAR10(directory: cifar, perBatch: 8, testCount: 8)
        try writeJSON(["data": ["dataset": "cifar10", "dir": cifar], "model": "mlp-32", "epochs": 1], to: "c.json")
        try kdistillOK(["train-teacher", "c.json"])
        assertInputError(
            try distill(from: "runs/c/best.safetensors"), mentions: ["runs/c/best.safetensors", "[1, 28, 28]", "[3, 32, 32]"])
        // resume.safetensors holds tensors but no model metadata.
        _ = try checkpoint("mlp-64", name: "t")
        assertInputError(
            try distill(from: "runs/t/resume.safetensors"), mentions: ["runs/t/resume.safetensors", "teacher.model"])
        assertInputError(
            try distill(from: "runs/t/resume.safetensors", teacherModel: "lenet5"), mentions: ["runs/t/resume.safetensors"])
        assertInputError(
            try kdistill(["eval", "runs/t/resume.safetensors"]), mentions: ["runs/t/resume.safetensors", "metadata"])
    }

    func testBrokenResumeState() throws {
        _ = try checkpoint("mlp-64", name: "t")
        try TinyDatasetFiles.write(Array("garbage".utf8), to: dir + "/runs/t/resume.safetensors")
        assertInputError(try kdistill(["train-teacher", "t.json", "--resume"]), mentions: ["runs/t/"])
    }
}
