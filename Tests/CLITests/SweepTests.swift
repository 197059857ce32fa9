// The sweep scripts end to end: a tiny teacher, then kd and rkd × seeds 0 and 1 on a small
// Fashion-MNIST subset through scripts/sweep.sh, stopped with SIGTERM after the first run finished,
// started again (finished runs skipped, their summary.json untouched), and `kdistill report` over it; a
// run another copy holds (its lock) is skipped.

import Foundation
import TestSupport
import XCTest

/// Runs programs for the sweep test (own minimal runner: output to files, so long runs never block on a pipe).
struct SweepProcess {
    let process = Process()
    let stdoutPath: String, stderrPath: String

    init(_ executable: String, _ arguments: [String], directory: String, environment: [String: String] = [:], logs: String) throws
    {
        (stdoutPath, stderrPath) = (logs + ".out", logs + ".err")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        // Runs with cache_teacher share a teacher cache next to the logs, never the user's.
        let cache = ["KDISTILL_CACHE": (logs as NSString).deletingLastPathComponent + "/teacher-cache"]
        process.environment = ProcessInfo.processInfo.environment.merging(cache) { $1 }.merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    /// Waits for the end; returns (status, stdout, stderr).
    func finish() -> (Int32, String, String) {
        process.waitUntilExit()
        let read = { (p: String) in (try? String(contentsOfFile: p, encoding: .utf8)) ?? "" }
        return (process.terminationStatus, read(stdoutPath), read(stderrPath))
    }

    /// Runs to the end.
    static func run(
        _ executable: String, _ arguments: [String], directory: String, environment: [String: String] = [:],
        logs: String
    ) throws -> (Int32, String, String) {
        try SweepProcess(executable, arguments, directory: directory, environment: environment, logs: logs).finish()
    }
}

final class SweepTests: XCTestCase {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .path

    /// The kdistill built next to this test bundle.
    func binary() throws -> String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("kdistill").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw XCTSkip("kdistill binary not built next to \(CommandLine.arguments[0])")
    }

    func summaryStatus(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["status"] as? String
    }

    func testSweepResumesWithoutRedoingFinishedRunsAndReportGroupsThem() throws {
        let kdistill = try binary()
        let tmp = TinyDatasetFiles.temporaryDirectory("sweep")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: tmp) }
        var data: [String] = []
        let fm = "/usr/share/datasets/fashion-mnist"
        if !FileManager.default.fileExists(atPath: repo + "/data/fashion-mnist/t10k-labels-idx1-ubyte.gz")
            && !FileManager.default.fileExists(atPath: fm + "/t10k-labels-idx1-ubyte.gz")
        {
            try TinyDatasetFiles.writeMNIST(directory: tmp + "/fashion-mnist", trainCount: 1000, testCount: 500, gzip: false)
            data = ["data.dir=" + tmp + "/fashion-mnist"]  // the published layout, synthetic pixels
        }
        let small = ["data.limit=1000", "data.test_limit=500", "epochs=1"] + data
        let (status, _, err) = try SweepProcess.run(
            kdistill,
            [
                "train-teacher", "configs/fashion-mnist/teacher-resnet20.json", "--set", "model=lenet5", "--set",
                "output.dir=\(tmp)/teacher",
            ]
                + small.flatMap { ["--set", $0] }, directory: repo, logs: tmp + "/teacher")
        XCTAssertEqual(status, 0, err)

        let sweep =
            ["scripts/sweep.sh", "-j", "1", "-o", tmp + "/sweep", "-s", "teacher=\(tmp)/teacher/best.safetensors"]
            + small.flatMap { ["-s", $0] } + ["configs/fashion-mnist/kd-lenet5.json", "method=kd,rkd", "seed=0,1"]
        let names = ["method-kd__seed-0", "method-kd__seed-1", "method-rkd__seed-0", "method-rkd__seed-1"]
        let summaries = names.map { tmp + "/sweep/" + $0 + "/summary.json" }

        // First attempt: stopped with SIGTERM as soon as the first run has finished.
        let first = try SweepProcess(
            "/bin/sh", sweep, directory: repo, environment: ["KDISTILL": kdistill], logs: tmp + "/sweep1")
        let deadline = Date().addingTimeInterval(300)
        while summaryStatus(summaries[0]) != "completed" && first.process.isRunning && Date() < deadline { usleep(20_000) }
        first.process.terminate()
        let (firstStatus, firstOut, firstErr) = first.finish()
        XCTAssertEqual(summaryStatus(summaries[0]), "completed", firstOut + firstErr)
        XCTAssertNotEqual(firstStatus, 0, "the sweep should report being stopped: " + firstErr)
        XCTAssertTrue(firstErr.contains("sweep: stopping"), firstErr)
        let unfinished = summaries.filter { summaryStatus($0) == nil }
        XCTAssertFalse(unfinished.isEmpty, "the sweep finished before it could be interrupted")
        let kept = try FileManager.default.attributesOfItem(atPath: summaries[0])[.modificationDate] as? Date

        // Second attempt, the same command: finished runs are skipped, the rest done.
        let (again, out, errAgain) = try SweepProcess.run(
            "/bin/sh", sweep, directory: repo, environment: ["KDISTILL": kdistill], logs: tmp + "/sweep2")
        XCTAssertEqual(again, 0, out + errAgain)
        XCTAssertTrue(out.contains("skip \(tmp)/sweep/method-kd__seed-0 (completed)"), out)
        for name in names where !out.contains("skip \(tmp)/sweep/\(name)") {
            XCTAssertTrue(out.contains("run \(tmp)/sweep/\(name)"), out)
        }
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: summaries[0])[.modificationDate] as? Date, kept)
        XCTAssertEqual(summaries.map(summaryStatus), Array(repeating: "completed", count: 4))
        let (third, outThird, _) = try SweepProcess.run(
            "/bin/sh", sweep, directory: repo, environment: ["KDISTILL": kdistill], logs: tmp + "/sweep3")
        XCTAssertEqual(third, 0)
        XCTAssertEqual(outThird.split(separator: "\n").filter { $0.hasPrefix("skip ") }.count, 4, outThird)

        // The report: two groups (kd, rkd) of two seeds each; rkd ran with its own ce_weight 1, not the config's
        // kd 0.1, so the report shows that key too.
        let (reportStatus, table, reportErr) = try SweepProcess.run(
            kdistill, ["report", tmp + "/sweep", "--out", tmp + "/report"],
            directory: repo, logs: tmp + "/report")
        XCTAssertEqual(reportStatus, 0, reportErr)
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("| ") }.map { line in
            line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let header = try XCTUnwrap(rows.first, table)
        func column(_ name: String) -> [String] {
            guard let k = header.firstIndex(where: { $0.hasPrefix(name) }) else { return ["no column \(name)"] }
            return rows.dropFirst().map { $0.count > k ? $0[k] : "?" }
        }
        XCTAssertEqual(column("method.name"), ["kd", "rkd"], table)
        XCTAssertEqual(column("method.ce_weight"), ["0.1", "1"], table)
        XCTAssertEqual(column("seeds"), ["2", "2"], table)
        // No validation split in these configs: the best epoch was chosen on the test split, and the column says so.
        XCTAssertEqual(column("best-epoch acc").count, 2, table)
        XCTAssertTrue(header.contains("best-epoch acc, test-selected (%)"), table)
        for name in ["results.md", "results.csv", "curves.svg", "losses.svg", "methods.svg", "index.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: tmp + "/report/" + name), name)
        }
        // The table's kd mean is the mean of the two kd runs' test_acc.
        let accuracies = try summaries.prefix(2).map { path -> Double in
            let object =
                try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            return try XCTUnwrap(object?["test_acc"] as? Double)
        }
        let mean = String(format: "%.2f", (accuracies[0] + accuracies[1]) / 2 * 100)
        XCTAssertTrue(column("last-epoch acc")[0].hasPrefix(mean + " ± "), "\(rows[1]) vs \(accuracies)")
        let html = try String(contentsOfFile: tmp + "/report/index.html", encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 3)
    }

    func testSweepListsTheGridAndNamesDirectoriesFromOverrides() throws {
        let (status, out, err) = try SweepProcess.run(
            "/bin/sh",
            [
                "scripts/sweep.sh", "-l", "c.json", "method=kd,at+kd", "seed=0,1",
                "schedule.milestones=[3,6]",
            ], directory: repo,
            logs: TinyDatasetFiles.temporaryDirectory("sweep-list") + "/l")
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(
            out.split(separator: "\n"),
            [
                "method=kd seed=0 schedule.milestones=[3,6]", "method=kd seed=1 schedule.milestones=[3,6]",
                "method=at+kd seed=0 schedule.milestones=[3,6]", "method=at+kd seed=1 schedule.milestones=[3,6]",
            ])
        let (dry, cmd, _) = try SweepProcess.run(
            "/bin/sh",
            [
                "scripts/run-one.sh", "-n", "-o", "runs/x", "-t", "3", "-s", "epochs=2", "c.json",
                "method=at+kd", "schedule.milestones=[3,6]", "data.dir=/d/x y",
            ],
            directory: repo, environment: ["KDISTILL": "kd"], logs: TinyDatasetFiles.temporaryDirectory("sweep-dry") + "/d")
        XCTAssertEqual(dry, 0)
        XCTAssertEqual(
            cmd,
            "'kd' 'distill' 'c.json' --method 'at+kd' --set 'schedule.milestones=[3,6]' --set 'data.dir=/d/x y' --set 'epochs=2' "
                + "--set 'output.dir=runs/x/method-at_kd__schedule.milestones-_3_6___data.dir-_d_x_y' --resume --threads '3'\n")
        let (bad, _, badErr) = try SweepProcess.run(
            "/bin/sh", ["scripts/sweep.sh", "-j", "0", "c.json", "seed=1"], directory: repo,
            logs: TinyDatasetFiles.temporaryDirectory("sweep-bad") + "/b")
        XCTAssertEqual(bad, 2)
        XCTAssertTrue(badErr.contains("-j: expected a positive integer"), badErr)
    }

    /// A run whose directory lock another copy holds is skipped (copies of a sweep share its grid).
    func testRunOneSkipsARunAnotherCopyHolds() throws {
        let tmp = TinyDatasetFiles.temporaryDirectory("sweep-lock")
        let run = tmp + "/runs/seed-0"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        // flock holds the lock while the inner run-one.sh tries it.
        let (status, out, err) = try SweepProcess.run(
            "/usr/bin/flock", [run + "/.run.lock", "/bin/sh", "scripts/run-one.sh", "-o", tmp + "/runs", "c.json", "seed=0"],
            directory: repo, environment: ["KDISTILL": try binary()], logs: tmp + "/l")
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, "skip \(run) (running in another copy)\n", err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/kdistill.log"), "the held run is not started")
    }
}
