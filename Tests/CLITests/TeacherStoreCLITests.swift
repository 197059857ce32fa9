// TeacherStoreCLITests: the persistent teacher cache end to end on real Fashion-MNIST: two distill
// runs started at once build the entry once and agree bit for bit with a run without the disk cache; a
// changed subset misses; `kdistill cache list|clear` and their usage errors; a bad size limit.

import Foundation
import TestSupport
import XCTest

final class TeacherStoreCLITests: CLITestCase {
    /// Trains a one-epoch lenet5 teacher on 2,000 images; writes `kd.json`, a one-epoch kd run of a
    /// lenet5 student on 1,000 images with `cache_teacher`.
    func prepare() throws {
        try Self.requireFashionMNIST()
        try writeJSON(FastConfig.object(epochs: 1, ["model": "lenet5"]), to: "t.json")
        try kdistillOK(["--threads", "2", "train-teacher", "t.json"])
        var config = FastConfig.object(
            epochs: 1, testLimit: 500,
            ["student": "lenet5", "teacher": dir + "/runs/t/latest.safetensors", "method": ["name": "kd", "cache_teacher": true]])
        config["data"] = ["dataset": "fashion-mnist", "limit": 1000, "test_limit": 500]
        try writeJSON(config, to: "kd.json")
    }

    /// metrics.jsonl of `run` without its timing fields.
    func metrics(_ run: String) throws -> [NSDictionary] {
        try readJSONLines("runs/\(run)/metrics.jsonl").map(RunControlTests.withoutTiming)
    }

    func testRunsStartedAtOnceBuildTheEntryOnceAndMatchAnUncachedRun() throws {
        try prepare()
        let plain = try kdistill(
            ["--threads", "1", "distill", "kd.json", "--set", "output.dir=runs/plain"], environment: ["KDISTILL_CACHE": "off"])
        XCTAssertTrue(plain.exited(with: 0), "\(plain)")
        XCTAssertFalse(plain.stderr.contains("teacher cache:"), "KDISTILL_CACHE=off: no disk cache: \(plain)")
        XCTAssertTrue(plain.stderr.contains("teacher logits cached for 1000 training images"), "still cached in memory")

        var results: [CLIResult?] = [nil, nil]
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let r = try? kdistill(["--threads", "1", "distill", "kd.json", "--set", "output.dir=runs/r\(i)"], timeout: 300)
            lock.lock()
            results[i] = r
            lock.unlock()
        }
        let runs = results.compactMap { $0 }
        XCTAssertEqual(runs.count, 2)
        for r in runs { XCTAssertTrue(r.exited(with: 0), "\(r)") }
        let built = runs.filter { $0.stderrLines.contains { $0.hasPrefix("teacher cache: built entry") } }
        let reused = runs.filter { $0.stderrLines.contains { $0.hasPrefix("teacher cache: reusing entry") } }
        XCTAssertEqual(built.count, 1, "exactly one run computes the teacher: \(runs)")
        XCTAssertEqual(reused.count, 1, "the other reads its entry: \(runs)")
        let reference = try metrics("plain")
        XCTAssertEqual(try metrics("r0"), reference, "bit-identical to the run without the disk cache")
        XCTAssertEqual(try metrics("r1"), reference)
        for run in ["r0", "r1"] {
            XCTAssertEqual(try readJSON("runs/\(run)/summary.json")["test_acc"] as? Double, try readJSON("runs/plain/summary.json")["test_acc"] as? Double)
        }
        let entries = try FileManager.default.contentsOfDirectory(atPath: teacherCache).filter { $0.hasSuffix(".safetensors") }
        XCTAssertEqual(entries.count, 1, "one entry: \(entries)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: teacherCache).filter { $0.hasPrefix(".") }, [], "no temporary files")
    }

    func testAChangedSubsetMissesAndCacheListAndClear() throws {
        try prepare()
        let cold = try kdistillOK(["--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/a"])
        XCTAssertTrue(cold.stderr.contains("teacher cache: built entry"), "\(cold)")
        let warm = try kdistillOK(["--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/b"])
        XCTAssertTrue(warm.stderr.contains("teacher cache: reusing entry"), "\(warm)")
        XCTAssertEqual(try metrics("a"), try metrics("b"))
        for change in ["data.limit=900", "data.validation=100", "seed=1"] {
            let other = try kdistillOK(["--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/c", "--set", change])
            XCTAssertTrue(other.stderr.contains("teacher cache: built entry"), "\(change) must miss: \(other)")
        }
        let list = try kdistillOK(["cache", "list"]).stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(list.count, 5, "four entries and a total: \(list)")
        XCTAssertTrue(list.contains { $0.contains("fashion-mnist/train N=1000") && $0.contains("lenet5") && $0.contains("runs/t/latest.safetensors") }, "\(list)")
        XCTAssertTrue(list.contains { $0.contains("N=900") }, "\(list)")
        XCTAssertTrue(list.last?.hasPrefix("4 entries,") ?? false, "\(list)")
        let first = try XCTUnwrap(list.first?.split(separator: " ").first.map(String.init))
        XCTAssertEqual(try kdistillOK(["cache", "clear", first]).stdout, "removed 1 entry from \(teacherCache)\n")
        XCTAssertEqual(try kdistillOK(["cache", "clear", "--all"]).stdout, "removed 3 entries from \(teacherCache)\n")
        XCTAssertEqual(try kdistillOK(["cache", "list"]).stdout.split(separator: "\n").count, 1)

        assertInputError(try kdistill(["cache", "clear"]), mentions: ["--all or a KEY_PREFIX"])
        assertInputError(try kdistill(["cache", "frob"]), mentions: ["list or clear", "frob"])
        assertInputError(try kdistill(["cache", "clear", "abc"]), mentions: ["no entry", "abc"])
        assertInputError(
            try kdistill(["distill", "kd.json", "--set", "output.dir=runs/d"], environment: ["KDISTILL_CACHE_LIMIT": "lots"]),
            mentions: ["KDISTILL_CACHE_LIMIT", "lots"])
    }
}
