// TuneObjectivesEndToEndTests: studies judged on other validation figures (beyond.md 4.5) on a small real
// Fashion-MNIST subset: corruption accuracy with params as a second objective, a constraint and a selection
// rule (pareto.json, index.html, best.json within the bound), and KD from an early-stopped teacher drawn from
// the teacher run's kept epochs, judged on PGD accuracy, with --final --pick testing the picked trial once.

import Foundation
import TestSupport
import XCTest

final class TuneObjectivesEndToEndTests: CLITestCase {
    func base(_ extra: [String: Any]) -> [String: Any] {
        var config = FastConfig.object(epochs: 2, testLimit: 300, extra)
        config["data"] = ["dataset": "fashion-mnist", "dir": "fm", "limit": 1000, "validation": 200, "test_limit": 300]
        return config
    }

    func testCorruptionAccuracyAndParamsGiveAParetoFrontWithinTheBounds() throws {
        try Self.requireFashionMNIST()
        try linkFashionMNIST()
        try writeJSON(base(["model": "lenet5"]), to: "base.json")
        try write(
            #"""
            {"tune": {"scheduler": "sha", "eta": 3, "trials": 5,
                      "objectives": [{"name": "val_mca", "goal": "max"}, {"name": "params", "goal": "min"}],
                      "constraints": {"params": 200000},
                      "final": {"select": {"max": "val_mca", "subject_to": {"params": 70000}}}},
             "params": {"model.name": {"type": "choice", "values": ["lenet5", "mlp-100", "mlp-300"]},
                        "optimizer.lr": {"type": "loguniform", "low": 0.001, "high": 0.005}}}
            """#, to: "space.json")
        let r = try kdistillOK(["tune", "base.json", "--space", "space.json", "--out", "mo", "-j", "2", "--json"], timeout: 300)
        let result = try Self.parseObject(r.stdout, source: "stdout")
        XCTAssertEqual(result["objective"] as? String, "val_mca")
        let best = try XCTUnwrap(result["best"] as? [String: Any])
        XCTAssertLessThanOrEqual(try XCTUnwrap(best["params"] as? Double), 70000, "final.select.subject_to: \(best)")
        XCTAssertEqual(try readJSON("mo/best.json")["model"].flatMap { ($0 as? [String: Any])?["name"] as? String }, "lenet5")

        // mlp-300 (238k parameters) breaks the constraint: drawn again, never trained.
        let events = try readJSONLines("mo/events.jsonl")
        XCTAssertTrue(
            events.contains { ($0["reason"] as? String)?.contains("constraint broken: params") == true }, "\(events)")
        let board = try readJSON("mo/leaderboard.json")
        let rows = try XCTUnwrap(board["trials"] as? [[String: Any]])
        XCTAssertEqual(board["objective"] as? String, "val_mca")
        for row in rows {
            let params = try XCTUnwrap((row["costs"] as? [String: Any])?["params"] as? Double)
            XCTAssertLessThanOrEqual(params, 200000)
            let value = try XCTUnwrap(row["val_mca"] as? Double)
            XCTAssertTrue((0...1).contains(value), "\(row)")
        }
        // The front holds trials that reached R, none dominating another.
        let front = try XCTUnwrap(try readJSON("mo/pareto.json")["front"] as? [[String: Any]])
        XCTAssertFalse(front.isEmpty)
        for a in front {
            for b in front where (a["trial"] as? Int) != (b["trial"] as? Int) {
                let (va, vb) = (a["val_mca"] as? Double ?? 0, b["val_mca"] as? Double ?? 0)
                let (pa, pb) = (a["params"] as? Double ?? 0, b["params"] as? Double ?? 0)
                XCTAssertFalse(va >= vb && pa <= pb && (va > vb || pa < pb), "\(a) dominates \(b)")
            }
        }
        let page = try String(contentsOfFile: absolute("mo/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("Pareto front") && page.contains("<svg"), "index.html has the drawings")
        XCTAssertEqual(try XMLTreeBuilder.parse(page).all("svg").count, 2, "well-formed XHTML with both drawings")
        XCTAssertTrue(exists("mo/pareto.svg"))
    }

    func testKDFromAKeptTeacherEpochJudgedOnPGDAccuracyThenFinalOnAPickedTrial() throws {
        try Self.requireFashionMNIST()
        try linkFashionMNIST()
        var teacher = base(["model": "lenet5"])
        teacher["output"] = ["dir": "teacher", "keep_every": 1]
        try writeJSON(teacher, to: "teacher.json")
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json"])
        XCTAssertTrue(exists("teacher/epoch-001.safetensors") && exists("teacher/epoch-002.safetensors"))
        try writeJSON(base(["student": "mlp-100", "teacher": "teacher/best.safetensors", "method": "kd"]), to: "kd.json")
        try write(
            #"""
            {"tune": {"scheduler": "none", "trials": 3, "objective": "val_robust_acc"},
             "params": {"teacher.checkpoint": {"type": "kept_epochs", "run": "teacher", "epochs": [1, 2]},
                        "method.T": {"type": "choice", "values": [2, 4]}}}
            """#, to: "space.json")
        let command = ["--threads", "2", "tune", "kd.json", "--space", "space.json", "--out", "kd", "--json"]
        try kdistillOK(command, timeout: 300)
        let rows = try XCTUnwrap(try readJSON("kd/leaderboard.json")["trials"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 3)
        for row in rows {
            let checkpoint = try XCTUnwrap((row["params"] as? [String: Any])?["teacher.checkpoint"] as? String)
            XCTAssertTrue(["teacher/epoch-001.safetensors", "teacher/epoch-002.safetensors"].contains(checkpoint), checkpoint)
            // PGD accuracy at ε 0.1 is at most the clean validation accuracy of the same weights.
            let robust = try XCTUnwrap(row["val_robust_acc"] as? Double)
            let run = try XCTUnwrap(row["run"] as? String)
            let clean = try XCTUnwrap(try readJSONLines(run + "/metrics.jsonl").last?["val_acc"] as? Double)
            XCTAssertLessThanOrEqual(robust, clean, "\(row)")
        }
        // --final --pick: the picked trial (not necessarily the best) is retrained and tested once.
        try linkFashionMNIST(test: true)
        let pick = try XCTUnwrap(rows.last?["trial"] as? Int)
        let final = try kdistillOK(command + ["--final", "--pick", String(pick)], timeout: 300)
        XCTAssertEqual(
            ((try Self.parseObject(final.stdout, source: "stdout"))["best"] as? [String: Any])?["trial"] as? Int, pick)
        XCTAssertNotNil(try readJSON("kd/final/summary.json")["test_acc"])
        let wrong = try kdistill(command + ["--final", "--pick", "9"])
        XCTAssertTrue(
            wrong.exited(with: 2) && wrong.stderr.contains("kdistill: --pick 9: expected a trial that reached"), "\(wrong)")
    }
}
