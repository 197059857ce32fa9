// `kdistill status` and `kdistill validate --get`, which the scripts ask instead of reading JSON
// themselves, and keep-records.sh, which copies only the runs `status` calls finished.

import Foundation
import TestSupport
import XCTest

final class StatusCommandTests: CLITestCase {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func testStatusPrintsTheStateOfARun() throws {
        XCTAssertEqual(try kdistillOK(["status", "runs/none"]).stdout, "absent\n")
        try write("{}", to: "runs/a/config.json")
        XCTAssertEqual(try kdistillOK(["status", "runs/a"]).stdout, "unfinished\n")
        try write(#"{"status": "completed"}"#, to: "runs/a/summary.json")
        XCTAssertEqual(try kdistillOK(["status", "runs/a"]).stdout, "completed\n")
        try write("{}", to: "runs/cohort/config.json")
        try write(#"{"status": "diverged"}"#, to: "runs/cohort/student-1/summary.json")
        XCTAssertEqual(try kdistillOK(["status", "runs/cohort"]).stdout, "diverged\n")
        try write(#"{"status": 3}"#, to: "runs/bad/summary.json")
        let bad = try kdistill(["status", "runs/bad"])
        XCTAssertTrue(bad.exited(with: 1), "\(bad)")
        XCTAssertTrue(bad.stderr.contains("runs/bad/summary.json"), bad.stderr)
        XCTAssertTrue(try kdistill(["status"]).exited(with: 2))
    }

    func testValidateGetPrintsOneResolvedValue() throws {
        // The key fm-r20.sh used to find with sed: a data.dir before output.dir took its place.
        let config = try writeJSON(
            [
                "data": ["dataset": "fashion-mnist", "dir": "data/elsewhere"], "model": "lenet5",
                "output": ["dir": "runs/here"],
            ], to: "teacher.json")
        XCTAssertEqual(try kdistillOK(["validate", config, "--get", "output.dir"]).stdout, "runs/here\n")
        XCTAssertEqual(try kdistillOK(["validate", config, "--get", "epochs"]).stdout, "10\n")
        XCTAssertEqual(
            try kdistillOK(["validate", config, "--get", "output.dir", "--set", "output.dir=runs/x"]).stdout, "runs/x\n")
        let bare = try writeJSON(["data": ["dataset": "fashion-mnist"], "model": "lenet5"], to: "bare.json")
        XCTAssertEqual(try kdistillOK(["validate", bare, "--get", "output.dir"]).stdout, "runs/bare\n")
        assertInputError(try kdistill(["validate", config, "--get", "output.dri"]), mentions: ["output.dri"])
    }

    func testKeepRecordsCopiesOnlyFinishedRuns() throws {
        for (run, status) in [("done", "completed"), ("cohort/student-1", "diverged")] {
            try write("{}", to: "runs/\(run)/config.json")
            try write(#"{"status": "\#(status)"}"#, to: "runs/\(run)/summary.json")
        }
        try write("{}", to: "runs/cohort/config.json")
        try write("{}", to: "runs/half/config.json")
        try write(#"{"status": "completed"}"#, to: "runs/half/stage-1/summary.json")  // a pipeline cut short
        try write("{}", to: "runs/running/config.json")
        try write(#"{"status": "paused"}"#, to: "runs/odd/summary.json")
        let script = Process()
        script.executableURL = URL(fileURLWithPath: repo + "/scripts/keep-records.sh")
        script.arguments = ["kept", "runs"]
        script.currentDirectoryURL = URL(fileURLWithPath: dir)
        script.environment = ProcessInfo.processInfo.environment.merging(["KDISTILL": try Self.runner().binary]) { $1 }
        try script.run()
        script.waitUntilExit()
        XCTAssertEqual(script.terminationStatus, 0)
        XCTAssertTrue(exists("kept/runs/done/summary.json"))
        XCTAssertTrue(exists("kept/runs/cohort/student-1/summary.json"))
        XCTAssertTrue(exists("kept/runs/cohort/config.json"))
        XCTAssertTrue(exists("kept/runs/half/stage-1/summary.json"), "a completed stage is a finished run of its own")
        XCTAssertFalse(exists("kept/runs/half/summary.json"))
        XCTAssertFalse(exists("kept/runs/running"))
        XCTAssertFalse(exists("kept/runs/odd"), "a summary kdistill status cannot read is skipped")
    }
}
