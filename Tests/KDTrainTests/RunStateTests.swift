// RunDirectory.state(): the one rule for "a finished run" that `kdistill status` and the scripts use:
// completed, diverged (the run's or a member's/stage's summary), unfinished, absent; bad summaries throw.

import Foundation
import KDTrain
import TestSupport
import XCTest

final class RunStateTests: XCTestCase {
    var root = ""

    override func setUp() {
        root = TinyDatasetFiles.temporaryDirectory("runstate")
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `text` to `root/relative`, creating directories.
    func put(_ relative: String, _ text: String = "{}") throws {
        let url = URL(fileURLWithPath: root + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func state(_ relative: String) throws -> RunState { try RunDirectory(root + "/" + relative).state() }

    func testStates() throws {
        XCTAssertEqual(try state("nothing"), .absent)
        try put("started/kdistill.log", "")
        XCTAssertEqual(try state("started"), .absent, "a log without config.json is no run yet")
        try put("running/config.json")
        try put("running/metrics.jsonl", "")
        XCTAssertEqual(try state("running"), .unfinished)
        try put("done/config.json")
        try put("done/summary.json", #"{"status": "completed"}"#)
        XCTAssertEqual(try state("done"), .completed)
        try put("blown/config.json")
        try put("blown/summary.json", #"{"status": "diverged"}"#)
        XCTAssertEqual(try state("blown"), .diverged)
        XCTAssertTrue(try state("blown").isFinished)
        XCTAssertFalse(try state("running").isFinished)
    }

    func testCohortsAndPipelines() throws {
        // A cohort whose member diverged is finished; a pipeline whose stages completed but which has
        // no summary of its own is not (it stopped between stages).
        try put("cohort/config.json")
        try put("cohort/student-0/summary.json", #"{"status": "completed"}"#)
        try put("cohort/student-1/summary.json", #"{"status": "diverged"}"#)
        XCTAssertEqual(try state("cohort"), .diverged)
        try put("pipeline/config.json")
        try put("pipeline/stage-1/summary.json", #"{"status": "completed"}"#)
        XCTAssertEqual(try state("pipeline"), .unfinished)
        try put("pipeline/summary.json", #"{"status": "completed"}"#)
        XCTAssertEqual(try state("pipeline"), .completed)
    }

    func testUnreadableSummaryIsAnError() throws {
        try put("bad/config.json")
        try put("bad/summary.json", #"{"status": "paused"}"#)
        XCTAssertThrowsError(try state("bad")) { XCTAssertTrue("\($0)".contains("found \"paused\""), "\($0)") }
        try put("torn/summary.json", "{\"status\": ")
        XCTAssertThrowsError(try state("torn")) { XCTAssertTrue("\($0)".contains("torn/summary.json"), "\($0)") }
    }
}
