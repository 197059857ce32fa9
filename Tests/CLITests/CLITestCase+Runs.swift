// CLITestCase+Runs: what several end-to-end tests read from or do to a run: metrics without their timing
// fields, a safetensors file's tensor bytes and metadata, a quick teacher, and the interrupt-resume check.

import Foundation
import TestSupport
import XCTest

extension CLITestCase {
    /// The documented non-deterministic fields of a metrics line.
    static let timingKeys = ["elapsed_s", "images_per_s"]

    /// A metrics line without its timing fields, comparable with `==`.
    static func withoutTiming(_ line: [String: Any]) -> NSDictionary {
        NSDictionary(dictionary: line.filter { !timingKeys.contains($0.key) })
    }

    /// The tensor data of a safetensors file: the bytes after its 8-byte length and JSON header.
    func tensorBytes(_ path: String) throws -> Data {
        let data = try Data(contentsOf: URL(fileURLWithPath: absolute(path)))
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        return data.dropFirst(8 + headerLength)
    }

    /// The `__metadata__` of the safetensors file at `path` (empty when it has none).
    func metadata(_ path: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: absolute(path)))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try Self.parseObject(String(decoding: data.dropFirst(8).prefix(length), as: UTF8.self), source: path)
        return header["__metadata__"] as? [String: String] ?? [:]
    }

    /// Trains a one-epoch lenet5 teacher on 500 images; returns its last checkpoint (its best would be
    /// chosen on the test set and draw a warning).
    func quickTeacher() throws -> String {
        try writeJSON(FastConfig.object(epochs: 1, ["model": "lenet5"]), to: "t.json")
        try kdistillOK(["--threads", "2", "train-teacher", "t.json", "--set", "data.limit=500"])
        return dir + "/runs/t/latest.safetensors"
    }

    /// Runs the three-epoch command `base` into `run/`, stopped by SIGINT once its first epoch is logged,
    /// resumes it there, and runs it uninterrupted into `whole/`. Asserts the stop (exit 130, before the
    /// end), the resume, and that both end with the same metrics, timing aside; returns both metrics files.
    @discardableResult
    func interruptResumeAndRunWhole(
        _ base: [String], file: StaticString = #filePath, line: UInt = #line
    ) throws -> (resumed: [[String: Any]], whole: [[String: Any]]) {
        let stopped = try kdistill(
            base + ["--set", "output.dir=run"], signal: SIGINT, when: .stderrLine(containing: "epoch 1/3"))
        XCTAssertTrue(stopped.exited(with: 130), "\(stopped)", file: file, line: line)
        XCTAssertLessThan(try readJSONLines("run/metrics.jsonl").count, 3, "stopped before the end", file: file, line: line)
        try kdistillOK(base + ["--set", "output.dir=run", "--resume"], file: file, line: line)
        try kdistillOK(base + ["--set", "output.dir=whole"], file: file, line: line)
        let (after, whole) = (try readJSONLines("run/metrics.jsonl"), try readJSONLines("whole/metrics.jsonl"))
        XCTAssertEqual(after.map { $0["epoch"] as? Int ?? 0 }, [1, 2, 3], file: file, line: line)
        XCTAssertEqual(
            after.map(Self.withoutTiming), whole.map(Self.withoutTiming), "resumed metrics equal uninterrupted ones",
            file: file, line: line)
        return (after, whole)
    }
}
