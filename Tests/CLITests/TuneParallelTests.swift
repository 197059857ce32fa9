// TuneParallelTests: `kdistill tune -j 2` (beyond.md 4.3): trials as `tune-step` child processes; sha with two
// workers, stopped by SIGTERM midway and rerun, ends with exactly the leaderboard of a -j 1 study; asha with two
// workers says it is not reproducible; a worker's step can be repeated by hand.

import Foundation
import TestSupport
import XCTest

final class TuneParallelTests: CLITestCase {
    func writeStudy(scheduler: String) throws {
        try writeTuneStudy(scheduler: scheduler)
        try linkFashionMNIST()
    }

    func study(_ out: String, _ extra: [String] = []) -> [String] {
        ["tune", "base.json", "--space", "space.json", "--out", out, "--json"] + extra
    }

    func testTwoWorkersStoppedAndRerunEndWhereOneWorkerDoes() throws {
        try Self.requireFashionMNIST()
        try writeStudy(scheduler: "sha")
        try kdistillOK(["--threads", "2"] + study("one"), timeout: 300)

        let stopped = try kdistill(
            study("two", ["-j", "2"]), timeout: 300, signal: SIGTERM, when: .stderrLine(containing: "val_acc"))
        XCTAssertTrue(stopped.exited(with: 143), "SIGTERM stops the study and its workers: \(stopped)")
        let execution = try XCTUnwrap(try readJSON("two/study.json")["execution"] as? [String: Any])
        XCTAssertEqual(execution["jobs"] as? Int, 2)
        XCTAssertEqual(execution["deterministic"] as? Bool, true, "sha decides at rung barriers")
        let rerun = try kdistillOK(study("two", ["-j", "2"]), timeout: 300)
        XCTAssertEqual(
            try String(contentsOfFile: absolute("two/leaderboard.csv"), encoding: .utf8),
            try String(contentsOfFile: absolute("one/leaderboard.csv"), encoding: .utf8),
            "two workers, a kill and a rerun decide exactly as one worker: \(rerun.stderr)")
        // Workers leave their outcomes and logs; each trial's config is ready to run.
        XCTAssertTrue(exists("two/steps/0000-e1.json"))
        XCTAssertTrue(try String(contentsOfFile: absolute("two/trials/0000/kdistill.log"), encoding: .utf8).contains("epoch 1/3"))
        try kdistillOK(["validate", "two/trials/0001.json"])

        // A step repeated by hand: the trial already reached 1 epoch, so nothing is trained and the value stands.
        let again = try kdistillOK(["tune-step", "two", "0", "1", "--json"])
        let outcome = try Self.parseObject(again.stdout, source: "stdout")
        XCTAssertEqual(outcome["outcome"] as? String, "value")
        assertInputError(try kdistill(["tune-step", "two", "9", "1"]), mentions: ["two/trials/0009.json"])
    }

    func testAshaWithTwoWorkersIsMarkedNotReproducible() throws {
        try Self.requireFashionMNIST()
        try writeStudy(scheduler: "asha")
        let r = try kdistillOK(study("asha", ["-j", "2"]), timeout: 300)
        let result = try Self.parseObject(r.stdout, source: "stdout")
        XCTAssertEqual(result["trials"] as? Int, 4)
        let execution = try XCTUnwrap(try readJSON("asha/study.json")["execution"] as? [String: Any])
        XCTAssertEqual(execution["deterministic"] as? Bool, false, "asha decides in the order results arrive")
        let rows = try XCTUnwrap(try readJSON("asha/leaderboard.json")["trials"] as? [[String: Any]])
        XCTAssertEqual(rows.filter { $0["status"] as? String == "completed" }.count, 1, "\(rows)")
        assertInputError(
            try kdistill(study("asha", ["--executor", "pbs"])), mentions: ["--executor", "local or slurm", "pbs"])
    }
}
