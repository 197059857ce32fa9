// TuneEndToEndTests: `kdistill tune` on a small real Fashion-MNIST subset (beyond.md 4): a study with ASHA,
// its files, trials that never read the test set (its files are absent until --final), a rerun that trains nothing, a changed study refused,
// and --final reproducing the best trial (paused and resumed) exactly before testing it once.

import Foundation
import TestSupport
import XCTest

final class TuneEndToEndTests: CLITestCase {
    func testStudyResumesWithoutRetrainingAndFinalTestsOnce() throws {
        try Self.requireFashionMNIST()
        try writeTuneStudy(scheduler: "asha")
        try linkFashionMNIST()  // the study cannot read the test set: it is not there
        let command = ["--threads", "2", "tune", "base.json", "--space", "space.json", "--out", "study", "--json"]
        let first = try Self.parseObject(try kdistillOK(command, timeout: 300).stdout, source: "stdout")
        XCTAssertEqual(first["rung_epochs"] as? [Int], [1, 3])
        XCTAssertEqual(first["trials"] as? Int, 4)
        let study = try readJSON("study/study.json")
        XCTAssertEqual(study["test_evaluated"] as? Bool, false)
        XCTAssertNotNil(study["base_hash"])
        let events = try String(contentsOfFile: absolute("study/events.jsonl"), encoding: .utf8)
        let board = try readJSON("study/leaderboard.json")
        let rows = try XCTUnwrap(board["trials"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows.filter { $0["status"] as? String == "completed" }.count, 1, "\(rows): 4 // 3 = 1 promoted to R")
        XCTAssertEqual(rows[0]["status"] as? String, "completed")
        XCTAssertTrue(
            try String(contentsOfFile: absolute("study/leaderboard.csv"), encoding: .utf8).hasPrefix(
                "trial,status,epochs,val_acc"))
        XCTAssertTrue(
            try String(contentsOfFile: absolute("study/leaderboard.md"), encoding: .utf8).hasPrefix("| trial | status |"))
        XCTAssertTrue(try String(contentsOfFile: absolute("study/curves.svg"), encoding: .utf8).contains("trial 3"))
        // Trials are ordinary run directories that never evaluated the test set.
        for t in 0..<4 {
            let dir = String(format: "study/trials/%04d", t)
            XCTAssertTrue(exists(dir + "/config.json"), dir)
            XCTAssertEqual(try readJSON(dir + "/config.json")["epochs"] as? Int, 3, "schedule horizon R")
            if exists(dir + "/summary.json") {
                let summary = try readJSON(dir + "/summary.json")
                XCTAssertNil(summary["test_acc"], "\(summary)")
                XCTAssertEqual(summary["test_evaluated"] as? Bool, false)
            } else {
                XCTAssertTrue(exists(dir + "/resume.safetensors"), "a stopped trial stays resumable")
            }
        }
        // best.json is ready to run.
        try kdistillOK(["validate", "study/best.json"])
        let best = try XCTUnwrap(first["best"] as? [String: Any])

        // The same command again: nothing is trained, nothing is appended.
        let again = try kdistillOK(command, timeout: 120)
        XCTAssertFalse(again.stderr.contains("trial 0 to"), again.stderr)
        XCTAssertEqual(try String(contentsOfFile: absolute("study/events.jsonl"), encoding: .utf8), events)
        XCTAssertEqual(
            (try Self.parseObject(again.stdout, source: "stdout")["best"] as? [String: Any])?["trial"] as? Int,
            best["trial"] as? Int)

        // The same seed in another directory: the same trials and decisions.
        try kdistillOK(["--threads", "2", "tune", "base.json", "--space", "space.json", "--out", "twin"], timeout: 300)
        XCTAssertEqual(
            try String(contentsOfFile: absolute("twin/leaderboard.csv"), encoding: .utf8),
            try String(contentsOfFile: absolute("study/leaderboard.csv"), encoding: .utf8))

        // Another setting is another study.
        assertInputError(try kdistill(command + ["--trials", "5"]), mentions: ["study/study.json", "--new-study"])

        // --final: the best config for R epochs from scratch, then the test set once.
        try linkFashionMNIST(test: true)
        let final = try kdistillOK(command + ["--final"], timeout: 300)
        XCTAssertFalse(
            final.stderr.contains("determinism warning"), "a paused and resumed trial equals a straight run: \(final.stderr)")
        let summary = try readJSON("study/final/summary.json")
        XCTAssertNotNil(summary["test_acc"])
        XCTAssertEqual(try readJSON("study/study.json")["test_evaluated"] as? Bool, true)
        let repeated = try kdistillOK(command + ["--final"], timeout: 120)
        XCTAssertTrue(repeated.stderr.contains("evaluated already"), repeated.stderr)
    }

    func testBadInputsFailBeforeTraining() throws {
        try writeTuneStudy(scheduler: "asha")
        try write(#"{"params": {"optimizer.lrr": {"type": "uniform", "low": 0.1, "high": 0.2}}}"#, to: "typo.json")
        assertInputError(
            try kdistill(["tune", "base.json", "--space", "typo.json"]), mentions: ["typo.json", "params.optimizer.lrr"])
        try write(#"{"params": {"batch_size": {"type": "int", "low": 0, "high": 2}}}"#, to: "range.json")
        assertInputError(
            try kdistill(["tune", "base.json", "--space", "range.json"]), mentions: ["range.json", "params.batch_size"])
        try write(#"{"params": {"epochs": {"type": "int", "low": 1, "high": 2}}}"#, to: "epochs.json")
        assertInputError(
            try kdistill(["tune", "base.json", "--space", "epochs.json"]), mentions: ["params.epochs", "--max-epochs"])
        var config = FastConfig.object(epochs: 3, ["model": "lenet5"])
        config["data"] = ["dataset": "fashion-mnist", "limit": 1000]
        try writeJSON(config, to: "noval.json")
        assertInputError(
            try kdistill(["tune", "noval.json", "--space", "space.json"]), mentions: ["noval.json", "data.validation"])
        assertInputError(try kdistill(["tune", "base.json"]), mentions: ["--space"])
        var kd = FastConfig.object(epochs: 3, ["student": "lenet5", "teacher": "absent.safetensors", "method": "kd"])
        kd["data"] = ["dataset": "fashion-mnist", "limit": 1000, "validation": 200]
        try writeJSON(kd, to: "kd.json")
        try write(#"{"params": {"method.T": {"type": "choice", "values": [2, 4]}}}"#, to: "t.json")
        assertInputError(
            try kdistill(["tune", "kd.json", "--space", "t.json"]),
            mentions: ["kd.json", "teacher.checkpoint", "absent.safetensors"])
        XCTAssertFalse(exists("runs"), "nothing written")
    }
}
