// TuneObjectivesTests: a study's objectives (beyond.md 4.5): the tune block's objective, objectives,
// constraints and final.select with errors naming the key; non-dominated sorting; multi-objective promotion
// keeping a small network alive; and kept_epochs expanding a teacher run's kept checkpoints.

import Foundation
import KDJSON
import KDTrain
import XCTest

final class TuneObjectivesTests: XCTestCase {
    func settings(_ block: String) throws -> StudySettings {
        try StudySettings(
            TuneRequest(config: "c.json", space: "space.json"), block: try XCTUnwrap(JSONValue(parsing: block).objectValue),
            baseEpochs: 9, spaceSource: "space.json")
    }

    func testObjectivesParseAndErrorsNameTheKey() throws {
        XCTAssertEqual(try settings("{}").objectives.metric, .valAcc)
        XCTAssertEqual(try settings(#"{"objective": "val_mca"}"#).objectives.metric, .valMCA)
        let multi = try settings(
            #"{"objectives": [{"name": "val_robust_acc", "goal": "max"}, {"name": "params", "goal": "min"}, {"name": "flops"}],"#
                + #""constraints": {"latency_ms": 2}, "final": {"select": {"max": "val_robust_acc", "subject_to": {"params": 1e5}}}}"#
        ).objectives
        XCTAssertEqual(multi.metric, .valRobustAcc)
        XCTAssertEqual(multi.costs, [.params, .flops])
        XCTAssertEqual(multi.constraints, [.latencyMs: 2])
        XCTAssertEqual(multi.subjectTo, [.params: 1e5])
        XCTAssertEqual(multi.measuredCosts, [.params, .flops, .latencyMs])
        for (block, expected) in [
            (#"{"objective": "test_acc"}"#, "space.json: tune.objective: expected a validation metric or a cost, found test_acc"),
            (#"{"objective": "params"}"#, "space.json: tune.objective: expected a validation metric"),
            (#"{"objective": "val_ac"}"#, "space.json: tune.objective: expected one of val_acc"),
            (#"{"objective": "val_acc", "objectives": []}"#, "space.json: tune.objectives: give objective or objectives"),
            (#"{"objectives": [{"name": "params"}]}"#, "space.json: tune.objectives: expected exactly one validation metric"),
            (
                #"{"objectives": [{"name": "val_acc"}, {"name": "val_mca"}]}"#,
                "space.json: tune.objectives: expected exactly one validation metric (the rung value), found 2"
            ),
            (#"{"objectives": [{"name": "val_acc", "goal": "min"}]}"#, "space.json: tune.objectives[0].goal: expected max"),
            (#"{"constraints": {"val_acc": 0.9}}"#, "space.json: tune.constraints.val_acc: expected a cost"),
            (#"{"constraints": {"params": -1}}"#, "space.json: tune.constraints.params: expected a number > 0"),
            (#"{"final": {"select": {"max": "val_mca"}}}"#, "space.json: tune.final.select.max: expected the study's"),
            (#"{"final": {"pick": 3}}"#, "space.json: tune.final: expected {\"select\""),
        ] {
            XCTAssertThrowsError(try settings(block), block) { XCTAssertTrue("\($0)".hasPrefix(expected), "\($0)") }
        }
    }

    func testNonDominatedSorting() {
        // (value to maximise, negated; params): 0 and 1 trade off, 2 is dominated by 1, 3 by 2.
        let points: [[Double]] = [[-0.9, 300], [-0.8, 100], [-0.7, 200], [-0.6, 250]]
        XCTAssertEqual(Pareto.fronts(points), [0, 0, 1, 2])
        XCTAssertTrue(Pareto.dominates([-0.8, 100], [-0.7, 200]))
        XCTAssertFalse(Pareto.dominates([-0.8, 100], [-0.8, 100]), "equal points do not dominate")
    }

    func testMultiObjectivePromotionKeepsASmallNetworkAlive() {
        let rungs = Rungs(minEpochs: 1, maxEpochs: 9, eta: 3)
        var state = StudyState()
        for (i, (value, params)) in [(0.90, 300_000.0), (0.89, 310_000.0), (0.70, 40_000.0)].enumerated() {
            var t = TrialState(number: i, params: JSONObject())
            t.values = [value]
            t.costs = ["params": params]
            state.trials.append(t)
        }
        XCTAssertEqual(SchedulerName.asha.next(state, rungs: rungs, eta: 3, trials: 9), .promote(trial: 0, rung: 1))
        // With params as a cost, trial 2 is on the first front with trial 0; 1 is dominated. Top 1 of 3: trial 0
        // (front 0, best value); after it, the small trial 2 is next in line, not trial 1.
        state.trials.append(TrialState(number: 3, params: JSONObject()))
        state.trials[3].values = [0.1]
        state.trials[3].costs = ["params": 500_000]
        state.trials.append(TrialState(number: 4, params: JSONObject()))
        state.trials[4].values = [0.2]
        state.trials[4].costs = ["params": 500_000]
        state.trials.append(TrialState(number: 5, params: JSONObject()))
        state.trials[5].values = [0.3]
        state.trials[5].costs = ["params": 500_000]
        state.trials[0].values.append(0.91)  // trial 0 promoted already: top 2 of 6 now
        state.trials[0].target = 1
        XCTAssertEqual(
            SchedulerName.asha.next(state, rungs: rungs, eta: 3, trials: 9, costs: ["params"]), .promote(trial: 2, rung: 1))
        XCTAssertEqual(SchedulerName.asha.next(state, rungs: rungs, eta: 3, trials: 9), .promote(trial: 1, rung: 1))
    }

    func testKeptEpochsExpandToTheTeacherRunsCheckpoints() throws {
        let dir = NSTemporaryDirectory() + "kept-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["epoch-006.safetensors", "epoch-003.safetensors", "best.safetensors", "latest.safetensors"] {
            FileManager.default.createFile(atPath: dir + "/" + name, contents: Data())
        }
        func parse(_ spec: String) throws -> SearchSpace {
            try SearchSpace(JSONValue(parsing: #"{"params": {"teacher.checkpoint": "# + spec + "}}"), source: "space.json")
        }
        let all = try parse(#"{"type": "kept_epochs", "run": "\#(dir)"}"#)
        XCTAssertEqual(
            all.params[0].distribution,
            .choice(
                [dir + "/epoch-003.safetensors", dir + "/epoch-006.safetensors", dir + "/best.safetensors"].map(JSONValue.string))
        )
        XCTAssertNotNil(all.json["params"]?["teacher.checkpoint"]?["found"], "the files found are part of the space's hash")
        let some = try parse(#"{"type": "kept_epochs", "run": "\#(dir)", "epochs": [6, "latest"]}"#)
        XCTAssertEqual(
            some.params[0].distribution,
            .choice([dir + "/epoch-006.safetensors", dir + "/latest.safetensors"].map(JSONValue.string)))
        XCTAssertThrowsError(try parse(#"{"type": "kept_epochs", "run": "\#(dir)", "epochs": [9]}"#)) {
            XCTAssertTrue("\($0)".contains("params.teacher.checkpoint: expected the teacher checkpoint"), "\($0)")
            XCTAssertTrue("\($0)".contains("epoch-009.safetensors"), "\($0)")
        }
        XCTAssertThrowsError(try parse(#"{"type": "kept_epochs", "epochs": [3]}"#)) {
            XCTAssertTrue("\($0)".contains("params.teacher.checkpoint.run"), "\($0)")
        }
    }
}
