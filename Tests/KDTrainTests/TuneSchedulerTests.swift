// TuneSchedulerTests: rung arithmetic (beyond.md 4.4's examples), ASHA and SHA decisions on made-up values,
// and the study state rebuilt from events.

import KDJSON
import KDTrain
import XCTest

final class TuneSchedulerTests: XCTestCase {
    func testRungsAnchoredAtTheTop() {
        XCTAssertEqual(Rungs(minEpochs: 1, maxEpochs: 9, eta: 3).epochs, [1, 3, 9])
        XCTAssertEqual(Rungs(minEpochs: 1, maxEpochs: 10, eta: 3).epochs, [2, 4, 10])
        XCTAssertEqual(Rungs(minEpochs: 1, maxEpochs: 3, eta: 3).epochs, [1, 3])
        XCTAssertEqual(Rungs(minEpochs: 1, maxEpochs: 2, eta: 3).epochs, [2])
        XCTAssertEqual(Rungs(minEpochs: 2, maxEpochs: 10, eta: 3).epochs, [4, 10])
        XCTAssertEqual(Rungs(minEpochs: 1, maxEpochs: 27, eta: 3).epochs, [1, 3, 9, 27])
        XCTAssertEqual(Rungs(minEpochs: 1, maxEpochs: 16, eta: 2).epochs, [1, 2, 4, 8, 16])
        XCTAssertEqual(Rungs(only: 9).epochs, [9])
    }

    /// A state where trial i has `values[i]` (its rung values) and is paused at its last rung.
    func state(_ values: [[Double]], failed: Set<Int> = []) -> StudyState {
        var s = StudyState()
        for (i, v) in values.enumerated() {
            var t = TrialState(number: i, params: JSONObject())
            t.values = v
            t.target = max(0, v.count - 1)
            t.failed = failed.contains(i)
            s.trials.append(t)
        }
        return s
    }

    func testASHAPromotesTheBestOfTheTopThirdElseSamples() {
        let rungs = Rungs(minEpochs: 1, maxEpochs: 9, eta: 3)
        XCTAssertEqual(SchedulerName.asha.next(state([[0.5], [0.6]]), rungs: rungs, eta: 3, trials: 9), .newTrial)
        XCTAssertEqual(
            SchedulerName.asha.next(state([[0.5], [0.7], [0.6]]), rungs: rungs, eta: 3, trials: 9), .promote(trial: 1, rung: 1))
        // Trial 1 already promoted (has a rung-1 value): nothing else in the top third of 3, so sample.
        XCTAssertEqual(SchedulerName.asha.next(state([[0.5], [0.7, 0.8], [0.6]]), rungs: rungs, eta: 3, trials: 9), .newTrial)
        // Ties go to the lower trial number.
        XCTAssertEqual(
            SchedulerName.asha.next(state([[0.5], [0.7], [0.7], [0.1], [0.2], [0.3]]), rungs: rungs, eta: 3, trials: 9),
            .promote(trial: 1, rung: 1))
        // Higher rungs first; nothing left when all trials are sampled and nothing is promotable.
        let three = state([[0.9, 0.8], [0.5, 0.9], [0.6, 0.7], [0.1], [0.2], [0.3], [0.4], [0.45], [0.35]])
        XCTAssertEqual(SchedulerName.asha.next(three, rungs: rungs, eta: 3, trials: 9), .promote(trial: 1, rung: 2))
        XCTAssertNil(SchedulerName.asha.next(state([[0.5], [0.4]]), rungs: rungs, eta: 3, trials: 2), "2 // 3 = 0")
        // A pending trial (interrupted) is finished first; a failed one is never promoted.
        var pending = state([[0.5], [0.7], [0.6]])
        pending.trials[2].target = 1
        XCTAssertEqual(SchedulerName.asha.next(pending, rungs: rungs, eta: 3, trials: 9), .resume(trial: 2))
        XCTAssertEqual(
            SchedulerName.asha.next(state([[0.5], [0.7], [0.6]], failed: [1]), rungs: rungs, eta: 3, trials: 3), nil)
    }

    func testSHAWaitsForTheRungThenKeepsAThird() {
        let rungs = Rungs(minEpochs: 1, maxEpochs: 9, eta: 3)
        XCTAssertEqual(SchedulerName.sha.next(state([[0.5], [0.7], [0.6]]), rungs: rungs, eta: 3, trials: 4), .newTrial)
        let rung0 = state([[0.5], [0.7], [0.6], [0.8], [0.1], [0.2]])
        XCTAssertEqual(SchedulerName.sha.next(rung0, rungs: rungs, eta: 3, trials: 6), .promote(trial: 3, rung: 1))
        let second = state([[0.5], [0.7], [0.6], [0.8, 0.81], [0.1], [0.2]])
        XCTAssertEqual(SchedulerName.sha.next(second, rungs: rungs, eta: 3, trials: 6), .promote(trial: 1, rung: 1))
        // Two at rung 1: max(1, 2/3) = 1 goes on to R.
        let third = state([[0.5], [0.7, 0.9], [0.6], [0.8, 0.81], [0.1], [0.2]])
        XCTAssertEqual(SchedulerName.sha.next(third, rungs: rungs, eta: 3, trials: 6), .promote(trial: 1, rung: 2))
        XCTAssertNil(
            SchedulerName.sha.next(
                state([[0.5], [0.7, 0.9, 0.95], [0.6], [0.8, 0.81], [0.1], [0.2]]), rungs: rungs, eta: 3, trials: 6))
        XCTAssertEqual(SchedulerName.none.next(state([[0.5]]), rungs: Rungs(only: 9), eta: 3, trials: 2), .newTrial)
        var spent = state([[0.5]])
        spent.epochsTrained = 9
        XCTAssertNil(SchedulerName.none.next(spent, rungs: Rungs(only: 9), eta: 3, trials: 2, budgetEpochs: 9), "budget spent")
        XCTAssertEqual(SchedulerName.none.next(spent, rungs: Rungs(only: 9), eta: 3, trials: 2, budgetEpochs: 10), .newTrial)
        XCTAssertNil(SchedulerName.none.next(state([[0.5], [0.6]]), rungs: Rungs(only: 9), eta: 3, trials: 2))
    }

    func testEventsReplayToTheState() throws {
        let rungs = Rungs(minEpochs: 1, maxEpochs: 9, eta: 3)
        let lines = [
            #"{"event":"created","trial":0,"params":{"optimizer.lr":0.01}}"#,
            #"{"event":"rung","trial":0,"rung":0,"epochs":1,"value":0.5}"#,
            #"{"event":"invalid","trial":1,"draw":0,"reason":"x"}"#,
            #"{"event":"created","trial":1,"params":{"optimizer.lr":0.02}}"#,
            #"{"event":"rung","trial":1,"rung":0,"epochs":1,"value":0.6}"#,
            #"{"event":"duplicate","trial":2,"params":{"optimizer.lr":0.02},"of":1}"#,
            #"{"event":"promoted","trial":1,"rung":1,"epochs":3}"#,
        ]
        let state = try StudyState(replaying: lines.map { try JSONValue(parsing: $0) }, rungs: rungs, source: "events.jsonl")
        XCTAssertEqual(state.trials.count, 3)
        XCTAssertEqual(state.trials[1].values, [0.6])
        XCTAssertTrue(state.trials[1].pending, "promoted, not yet trained: resumed first")
        XCTAssertEqual(state.trials[2].duplicateOf, 1)
        XCTAssertEqual(state.epochsTrained, 2)
        XCTAssertEqual(SchedulerName.asha.next(state, rungs: rungs, eta: 3, trials: 9), .resume(trial: 1))
        XCTAssertThrowsError(
            try StudyState(
                replaying: [try JSONValue(parsing: #"{"event":"rung","trial":4,"value":1}"#)], rungs: rungs, source: "e"))
        // A draw invalid once built withdraws its trial; the draw is remembered so trial 0 is drawn again without it.
        let withdrawn = try StudyState(
            replaying: [
                #"{"event":"created","trial":0,"draw":0,"params":{"method.name":"at"}}"#,
                #"{"event":"invalid","trial":0,"draw":0,"stage":"build","reason":"no taps"}"#,
            ].map { try JSONValue(parsing: $0) }, rungs: rungs, source: "events.jsonl")
        XCTAssertTrue(withdrawn.trials.isEmpty)
        XCTAssertEqual(withdrawn.invalidBuilds, [0: [0]])
        XCTAssertEqual(withdrawn.lastInvalid, "no taps")
        XCTAssertEqual(SchedulerName.asha.next(withdrawn, rungs: rungs, eta: 3, trials: 1), .newTrial)
    }

    func testRunningTrialsAreNotHandedOutAgainAndSHAWaitsAtItsBarrier() throws {
        let rungs = Rungs(minEpochs: 1, maxEpochs: 9, eta: 3)
        var s = state([[0.5], [0.7], [0.6]])
        s.trials.append(TrialState(number: 3, params: JSONObject()))  // created, being trained by a worker
        XCTAssertEqual(SchedulerName.sha.next(s, rungs: rungs, eta: 3, trials: 9), .resume(trial: 3))
        XCTAssertEqual(SchedulerName.sha.next(s, rungs: rungs, eta: 3, trials: 9, running: [3]), .newTrial)
        // All four sampled, trial 3 still on its way to rung 0: sha waits; asha promotes the top third now.
        XCTAssertNil(SchedulerName.sha.next(s, rungs: rungs, eta: 3, trials: 4, running: [3]))
        XCTAssertEqual(SchedulerName.asha.next(s, rungs: rungs, eta: 3, trials: 4, running: [3]), .promote(trial: 1, rung: 1))
        // A trial withdrawn while later ones ran keeps its number, takes no part and does not count as sampled.
        let replayed = try StudyState(
            replaying: [
                #"{"event":"created","trial":0,"draw":0,"params":{"method.name":"at"}}"#,
                #"{"event":"created","trial":1,"draw":0,"params":{"method.name":"kd"}}"#,
                #"{"event":"invalid","trial":0,"draw":0,"stage":"build","reason":"no taps"}"#,
            ].map { try JSONValue(parsing: $0) }, rungs: rungs, source: "events.jsonl")
        XCTAssertEqual(replayed.trials.map(\.withdrawn), [true, false])
        XCTAssertFalse(replayed.trials[0].pending)
        XCTAssertEqual(SchedulerName.asha.next(replayed, rungs: rungs, eta: 3, trials: 2, running: [1]), .newTrial)
        XCTAssertNil(SchedulerName.asha.next(replayed, rungs: rungs, eta: 3, trials: 1, running: [1]))
    }
}
