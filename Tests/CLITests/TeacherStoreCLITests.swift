// TeacherStoreCLITests: the persistent teacher cache end to end on real Fashion-MNIST: two distill
// runs started at once build each entry (training and test split) once and agree bit for bit with a
// run without the disk cache; a warm run never runs the teacher; a changed subset or a transfer set
// misses, hidden labels hit; `kdistill cache list|clear` and their usage errors; a bad size limit.

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
            [
                "student": "lenet5", "teacher": dir + "/runs/t/latest.safetensors",
                "method": ["name": "kd", "cache_teacher": true],
            ])
        config["data"] = ["dataset": "fashion-mnist", "limit": 1000, "test_limit": 500]
        try writeJSON(config, to: "kd.json")
    }

    /// metrics.jsonl of `run` without its timing fields.
    func metrics(_ run: String) throws -> [NSDictionary] {
        try readJSONLines("runs/\(run)/metrics.jsonl").map(Self.withoutTiming)
    }

    func testRunsStartedAtOnceBuildTheEntryOnceAndMatchAnUncachedRun() throws {
        try prepare()
        let plain = try kdistill(
            ["--threads", "1", "distill", "kd.json", "--set", "output.dir=runs/plain"], environment: ["KDISTILL_CACHE": "off"])
        XCTAssertTrue(plain.exited(with: 0), "\(plain)")
        XCTAssertFalse(plain.stderr.contains("teacher cache:"), "KDISTILL_CACHE=off: no disk cache: \(plain)")
        XCTAssertTrue(plain.stderr.contains("teacher logits cached for 1000 training images"), "still cached in memory")

        // Both started before either is waited for, from this thread.
        let started = try (0..<2).map { i in
            try startKdistill(["--threads", "1", "distill", "kd.json", "--set", "output.dir=runs/r\(i)"])
        }
        let runs = started.map { $0.wait(timeout: 300) }
        for r in runs { XCTAssertTrue(r.exited(with: 0), "\(r)") }
        // Two entries (the training split, and the test split of the summary's teacher figures): each
        // built by exactly one run and read by the other.
        let lines = runs.flatMap(\.stderrLines)
        let built = lines.filter { $0.hasPrefix("teacher cache: built entry") }
        let reused = lines.filter { $0.hasPrefix("teacher cache: reusing entry") }
        XCTAssertEqual(built.filter { $0.contains("(train)") }.count, 1, "exactly one run computes the teacher: \(runs)")
        XCTAssertEqual(built.filter { $0.contains("(test)") }.count, 1, "\(runs)")
        XCTAssertEqual(reused.filter { $0.contains("(train)") }.count, 1, "the other reads its entry: \(runs)")
        XCTAssertEqual(reused.filter { $0.contains("(test)") }.count, 1, "\(runs)")
        let reference = try metrics("plain")
        XCTAssertEqual(try metrics("r0"), reference, "bit-identical to the run without the disk cache")
        XCTAssertEqual(try metrics("r1"), reference)
        let plainSummary = try readJSON("runs/plain/summary.json")
        for run in ["r0", "r1"] {
            let summary = try readJSON("runs/\(run)/summary.json")
            for key in ["test_acc", "teacher_test_acc", "agreement"] {
                XCTAssertEqual(summary[key] as? Double, plainSummary[key] as? Double, "\(run) \(key)")
            }
        }
        let entries = try FileManager.default.contentsOfDirectory(atPath: teacherCache).filter { $0.hasSuffix(".safetensors") }
        XCTAssertEqual(entries.count, 2, "train and test entries: \(entries)")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: teacherCache).filter { $0.hasPrefix(".") }, [],
            "no temporary files")
    }

    func testAChangedSubsetMissesAndCacheListAndClear() throws {
        try prepare()
        let cold = try kdistillOK(["--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/a"])
        XCTAssertEqual(cold.stderrLines.filter { $0.hasPrefix("teacher cache: built entry") }.count, 2, "\(cold)")
        let warm = try kdistillOK(["--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/b"])
        XCTAssertEqual(warm.stderrLines.filter { $0.hasPrefix("teacher cache: reusing entry") }.count, 2, "\(warm)")
        XCTAssertFalse(warm.stderr.contains("built entry"), "a warm run never runs the teacher: \(warm)")
        XCTAssertEqual(try metrics("a"), try metrics("b"))
        for change in ["data.limit=900", "data.validation=100", "seed=1"] {
            let other = try kdistillOK(["--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/c", "--set", change])
            XCTAssertTrue(
                other.stderr.contains("built entry") && other.stderr.contains("(train)"), "\(change) must miss: \(other)")
        }
        let list = try kdistillOK(["cache", "list"]).stdout.split(separator: "\n").map(String.init)
        // Four training sets (the first, limit 900, a hold-out, another seed), and four test splits: the
        // test images are normalised with each training set's statistics, so each is another key.
        XCTAssertEqual(list.count, 9, "eight entries and a total: \(list)")
        XCTAssertEqual(list.filter { $0.contains("fashion-mnist/train ") }.count, 4, "\(list)")
        XCTAssertEqual(list.filter { $0.contains("fashion-mnist/test N=500") }.count, 4, "\(list)")
        XCTAssertTrue(
            list.contains {
                $0.contains("fashion-mnist/train N=1000") && $0.contains("lenet5") && $0.contains("runs/t/latest.safetensors")
            }, "\(list)")
        XCTAssertTrue(list.contains { $0.contains("N=900") }, "\(list)")
        XCTAssertTrue(list.last?.hasPrefix("8 entries,") ?? false, "\(list)")
        let first = try XCTUnwrap(list.first?.split(separator: " ").first.map(String.init))
        XCTAssertEqual(try kdistillOK(["cache", "clear", first]).stdout, "removed 1 entry from \(teacherCache)\n")
        XCTAssertEqual(try kdistillOK(["cache", "clear", "--all"]).stdout, "removed 7 entries from \(teacherCache)\n")
        XCTAssertEqual(try kdistillOK(["cache", "list"]).stdout.split(separator: "\n").count, 1)

        // Hidden labels leave the images alone: a hit. A transfer set is other images: a miss.
        let base = try kdistillOK(["--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/e"])
        XCTAssertTrue(base.stderr.contains("built entry") && base.stderr.contains("(train)"), "\(base)")
        let labeled = try kdistillOK([
            "--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/f", "--set", "data.labeled=300",
        ])
        XCTAssertEqual(
            labeled.stderrLines.filter { $0.hasPrefix("teacher cache: reusing entry") && $0.contains("(train)") }.count, 1,
            "\(labeled)")
        let transfer = try kdistillOK([
            "--threads", "2", "distill", "kd.json", "--set", "output.dir=runs/g", "--set", "method.ce_weight=0",
            "--set", #"data.transfer={"dataset":"fashion-mnist","limit":800}"#,
        ])
        XCTAssertEqual(
            transfer.stderrLines.filter { $0.hasPrefix("teacher cache: built entry") && $0.contains("(train)") }.count, 1,
            "\(transfer)")

        assertInputError(try kdistill(["cache", "clear"]), mentions: ["--all or a KEY_PREFIX"])
        assertInputError(try kdistill(["cache", "frob"]), mentions: ["list or clear", "frob"])
        assertInputError(try kdistill(["cache", "clear", "abc"]), mentions: ["no entry", "abc"])
        assertInputError(
            try kdistill(["distill", "kd.json", "--set", "output.dir=runs/d"], environment: ["KDISTILL_CACHE_LIMIT": "lots"]),
            mentions: ["KDISTILL_CACHE_LIMIT", "lots"])
    }
}
