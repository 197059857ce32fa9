// TuneParallelTests: `kdistill tune -j 2` (beyond.md 4.3): trials as `tune-step` child processes; sha with two
// workers, stopped by SIGTERM midway and rerun, ends with exactly the leaderboard of a -j 1 study; asha with two
// workers says it is not reproducible; a worker's step can be repeated by hand.

import Foundation
import TestSupport
import XCTest

final class TuneParallelTests: CLITestCase {
    /// A four-trial study of lenet5 and mlp-100 on 1,000 Fashion-MNIST images (200 for validation), no test files.
    func writeStudy(scheduler: String) throws {
        var config = FastConfig.object(epochs: 3, testLimit: 500, ["model": "lenet5"])
        config["data"] = ["dataset": "fashion-mnist", "dir": "fm", "limit": 1000, "validation": 200, "test_limit": 500]
        try writeJSON(config, to: "base.json")
        try write(
            """
            {"tune": {"scheduler": "\(scheduler)", "eta": 3, "trials": 4},
             "params": {"optimizer.lr": {"type": "loguniform", "low": 0.0005, "high": 0.005},
                        "model.name": {"type": "choice", "values": ["lenet5", "mlp-100"]}}}
            """, to: "space.json")
        try FileManager.default.createDirectory(atPath: absolute("fm"), withIntermediateDirectories: true)
        for kind in ["images-idx3", "labels-idx1"] where !exists("fm/train-\(kind)-ubyte.gz") {
            try FileManager.default.createSymbolicLink(
                atPath: absolute("fm/train-\(kind)-ubyte.gz"), withDestinationPath: Self.fashionMNIST + "/train-\(kind)-ubyte.gz")
        }
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
