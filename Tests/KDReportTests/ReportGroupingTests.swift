// Reading and grouping runs: unfinished runs left out, diverged runs listed apart, cohort members as
// groups of their own, the ignored keys (seed, name, description, output) and the varying keys.

import KDJSON
import KDReport
import XCTest

final class ReportGroupingTests: XCTestCase {
    func testSweepIsReadAndGroupedByConfigWithoutSeed() throws {
        let root = ReportFixtures.directory("report-group")
        try ReportFixtures.writeSweep(root)
        let set = RunReader.read([root])
        XCTAssertEqual(set.skipped.map(\.path), [root + "/method-kd__seed-4"])
        XCTAssertTrue(set.skipped[0].reason.contains("unfinished"))
        XCTAssertEqual(set.records.count, 1 + 4 + 4)  // at, dml 2 seeds × 2 members, kd 3 completed + 1 diverged
        let g = RunGrouping.group(set.records)
        XCTAssertEqual(
            g.groups.map(\.label), ["method.name=at", "method.name=dml, student1", "method.name=dml, student2", "method.name=kd"])
        XCTAssertEqual(g.varyingKeys, ["method.name"])
        XCTAssertTrue(g.hasMembers)
        let kd = g.groups[3]
        XCTAssertEqual(kd.runs.map(\.seed), [0, 1, 2])
        XCTAssertEqual(kd.diverged.map(\.seed), [3])
        XCTAssertEqual(kd.last?.mean ?? 0, 0.82, accuracy: 1e-12)
        XCTAssertEqual(kd.last?.std ?? 0, 0.02, accuracy: 1e-12)
        XCTAssertEqual(kd.best?.mean ?? 0, 0.83, accuracy: 1e-12)
        XCTAssertEqual(kd.wallTime?.mean ?? 0, 90, accuracy: 1e-12)
        let student2 = g.groups[2]
        XCTAssertEqual(student2.member, "student2")
        XCTAssertEqual(student2.runs.map(\.path), [root + "/method-dml__seed-0/student2", root + "/method-dml__seed-1/student2"])
        XCTAssertEqual(student2.runs[0].metrics.count, 2)
        XCTAssertEqual(student2.parameterCounts, [2000])
    }

    func testSampleStandardDeviationAndSingleSeed() throws {
        let s = try XCTUnwrap(MeanStd([0.80, 0.82, 0.84]))
        XCTAssertEqual(s.mean, 0.82, accuracy: 1e-12)
        XCTAssertEqual(s.std ?? 0, 0.02, accuracy: 1e-12)  // n − 1: sqrt((0.0004 + 0 + 0.0004) / 2)
        XCTAssertEqual(s.text(), "82.00 ± 2.00")
        let one = try XCTUnwrap(MeanStd([0.9]))
        XCTAssertNil(one.std)
        XCTAssertEqual(one.text(), "90.00 ± —")
        XCTAssertNil(MeanStd([]))
    }

    func testKeysPresentInOneGroupOnlyAppearWhenNeededToTellGroupsApart() throws {
        let root = ReportFixtures.directory("report-keys")
        // Same method, one with data.test_limit set, one without: only that key tells them apart.
        try ReportFixtures.writeRun(
            root + "/a", config: ReportFixtures.config(method: "kd", seed: 0, dir: root + "/a"),
            metrics: [], summary: ReportFixtures.summary(last: 0.5, best: 0.5))
        try ReportFixtures.writeRun(
            root + "/b",
            config: ReportFixtures.config(
                method: "kd", seed: 0, dir: root + "/b",
                extra: ["threads": 4, "data": ["dataset": "fashion-mnist", "limit": 1000, "test_limit": 500]]),
            metrics: [], summary: ReportFixtures.summary(last: 0.6, best: 0.6))
        let g = RunGrouping.group(RunReader.read([root + "/a", root + "/b/"]).records)
        XCTAssertEqual(g.varyingKeys, ["data.test_limit"])  // threads is ignored
        XCTAssertEqual(g.groups.map(\.label), ["data.test_limit=—", "data.test_limit=500"])
        XCTAssertFalse(g.hasMembers)
    }

    func testOneGroupIsNamedAfterTheExperimentAndSeedsDoNotSplitIt() throws {
        let root = ReportFixtures.directory("report-one")
        for seed in 0..<2 {
            try ReportFixtures.writeRun(
                root + "/s\(seed)", config: ReportFixtures.config(method: "kd", seed: seed, dir: root + "/s\(seed)"),
                metrics: [], summary: ReportFixtures.summary(last: 0.5, best: 0.5))
        }
        let g = RunGrouping.group(RunReader.read([root]).records)
        XCTAssertEqual(g.groups.count, 1)
        XCTAssertEqual(g.groups[0].label, "sweep")
        XCTAssertEqual(ResultsTable.groups(g).header.first, "run")
    }

    func testGroupingByChosenKeysMergesWhatTheyDoNotName() throws {
        let root = ReportFixtures.directory("report-by")
        // kd at two learning rates and a teacher (config `model`, no method): `--by model,method` merges the
        // kd runs, names the teacher's method `labels` and reads `model` from student and model alike.
        for (name, lr) in [("kd1", 0.1), ("kd2", 0.2)] {
            try ReportFixtures.writeRun(
                root + "/" + name, config: ReportFixtures.config(method: "kd", seed: 0, lr: lr, dir: root + "/" + name),
                metrics: [], summary: ReportFixtures.summary(last: lr == 0.1 ? 0.8 : 0.9, best: 0.9))
        }
        var teacher = ReportFixtures.config(method: "kd", seed: 0, dir: root + "/t").objectValue ?? [:]
        (teacher["method"], teacher["student"], teacher["model"]) = (nil, nil, ["name": "resnet20"])
        try ReportFixtures.writeRun(
            root + "/t", config: .object(teacher), metrics: [], summary: ReportFixtures.summary(last: 0.95, best: 0.95))
        let records = RunReader.read([root]).records
        let g = RunGrouping.group(records, by: ["model", "method"])
        XCTAssertEqual(g.varyingKeys, ["model", "method"])
        XCTAssertEqual(g.groups.map(\.label), ["model=lenet5, method=kd", "model=resnet20, method=labels"])
        XCTAssertEqual(g.groups[0].runs.count, 2)
        XCTAssertEqual(g.groups[0].last?.mean ?? 0, 0.85, accuracy: 1e-12)
        XCTAssertEqual(
            RunGrouping.mixedSettings(g),
            ["model=lenet5, method=kd: 2 runs but 1 distinct seed(s); they also differ in optimizer.lr (add it to --by)"],
            "two learning rates under one seed are not two seeds")
        XCTAssertTrue(Report.markdown(g).contains("Rows that average different settings, not seeds:"))
        XCTAssertEqual(RunGrouping.mixedSettings(RunGrouping.group(records, by: ["model", "method", "optimizer.lr"])), [])
        XCTAssertEqual(ResultsTable.groups(g).header.prefix(2), ["model", "method"])
        let byRate = RunGrouping.group(records, by: ["optimizer.lr"])
        XCTAssertEqual(byRate.groups.map(\.label).sorted(), ["optimizer.lr=0.1", "optimizer.lr=0.2"])
        XCTAssertEqual(RunGrouping.unknownKeys(["method", "optimiser.lr"], in: records), ["optimiser.lr"])
        XCTAssertThrowsError(try Report.run(paths: [root], outDirectory: root + "/out", by: ["optimiser.lr"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("--by: no run has 'optimiser.lr'"), "\(error)")
        }
    }

    func testThreadsColumnAppearsWhenRunsUsedDifferentThreadCounts() throws {
        let root = ReportFixtures.directory("report-threads")
        for (name, threads) in [("a", 1), ("b", 2)] {
            var summary = ReportFixtures.summary(last: 0.5, best: 0.5).objectValue ?? [:]
            summary["threads"] = .int(threads)
            let config = ReportFixtures.config(method: name == "a" ? "kd" : "at", seed: 0, dir: root + "/" + name)
            try ReportFixtures.writeRun(root + "/" + name, config: config, metrics: [], summary: .object(summary))
        }
        let table = ResultsTable.groups(RunGrouping.group(RunReader.read([root]).records))
        let column = try XCTUnwrap(table.header.firstIndex(of: "threads"))
        XCTAssertEqual(table.rows.map { $0[column] }.sorted(), ["1", "2"])
        let same = ResultsTable.groups(RunGrouping.group(RunReader.read([root + "/a"]).records))
        XCTAssertFalse(same.header.contains("threads"), "one thread count: no column")
    }

    func testFlattenGivesDotPathsAndCompactValues() {
        let flat = RunGrouping.flatten(["a": 1, "b": ["c": "x", "d": [1, 2]], "e": [:]])
        XCTAssertEqual(flat.map(\.path), ["a", "b.c", "b.d", "e"])
        XCTAssertEqual(flat.map(\.value), ["1", "\"x\"", "[1,2]", "{}"])
    }

    func testNothingFinishedIsAnErrorNamingThePaths() throws {
        let root = ReportFixtures.directory("report-empty")
        XCTAssertThrowsError(try Report.run(paths: [root + "/missing"], outDirectory: root + "/out")) { error in
            XCTAssertTrue("\(error)".contains("missing: no such directory"), "\(error)")
        }
    }

    func testBrokenSummaryIsSkippedWithItsReason() throws {
        let root = ReportFixtures.directory("report-broken")
        try ReportFixtures.writeRun(
            root + "/r", config: ReportFixtures.config(method: "kd", seed: 0, dir: root + "/r"), metrics: [], summary: nil)
        try "{\"status\": ".write(toFile: root + "/r/summary.json", atomically: true, encoding: .utf8)
        let set = RunReader.read([root + "/r"])
        XCTAssertTrue(set.records.isEmpty)
        XCTAssertTrue(set.skipped[0].reason.contains("summary.json: line 1"), set.skipped[0].reason)
    }

    func testCohortThatDivergedIsReportedFromItsMemberSummary() throws {
        let root = ReportFixtures.directory("report-cohort-nan")
        let dir = root + "/dml"
        try ReportFixtures.writeRun(
            dir, config: ReportFixtures.config(method: "dml", seed: 0, dir: dir), metrics: [], summary: nil)
        try ReportFixtures.writeRun(
            dir + "/student1", config: ReportFixtures.config(method: "dml", seed: 0, dir: dir), metrics: [],
            summary: ["status": "diverged", "epoch": 1, "detail": "peer nan"])
        let set = RunReader.read([dir])
        XCTAssertEqual(set.records.map(\.status), [.diverged])
        XCTAssertEqual(set.records.first?.member, "student1")
        XCTAssertTrue(set.skipped.isEmpty)
    }
}
