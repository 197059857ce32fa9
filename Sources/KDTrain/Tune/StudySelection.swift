// StudySelection: which trial a study hands to the test set (beyond.md 4.5, 4.7): `--pick TRIAL`, else
// `final.select` (the best rung value among trials within `subject_to`), else the best rung value; and the
// Pareto front over (rung value, costs) of the trials that reached R, for pareto.json and its plot.

import KDJSON

/// The chosen trial and the Pareto front.
enum StudySelection {
    /// Trials that reached the top rung without failing.
    static func finished(_ state: StudyState, rungs: Rungs) -> [TrialState] {
        state.trials.filter { $0.live && !$0.failed && $0.values.count == rungs.epochs.count }
    }

    /// The trial the final run retrains: `pick`, else the best value at R within `subject_to`; ties to the
    /// lower number. nil when none qualifies; a `pick` that did not reach R is an error.
    static func choose(_ state: StudyState, rungs: Rungs, objectives: StudyObjectives, pick: Int?) throws -> TrialState? {
        let done = finished(state, rungs: rungs)
        if let pick {
            guard let t = done.first(where: { $0.number == pick }) else {
                throw RunInputError("--pick \(pick): expected a trial that reached \(rungs.epochs[rungs.top]) epochs")
            }
            return t
        }
        let allowed = done.filter { t in
            objectives.subjectTo.allSatisfy { bound in (t.costs[bound.key.rawValue] ?? .infinity) <= bound.value }
        }
        return allowed.min { a, b in
            a.values[rungs.top] != b.values[rungs.top] ? a.values[rungs.top] > b.values[rungs.top] : a.number < b.number
        }
    }

    /// The non-dominated trials that reached R over (value at R, costs), sorted by the first cost.
    static func front(_ state: StudyState, rungs: Rungs, costs: [StudyMetric]) -> [TrialState] {
        let done = finished(state, rungs: rungs)
        let points = done.map { t in [-t.values[rungs.top]] + costs.map { t.costs[$0.rawValue] ?? .infinity } }
        let fronts = Pareto.fronts(points)
        let key = costs.first?.rawValue ?? ""
        return zip(done, fronts).filter { $0.1 == 0 }.map(\.0).sorted { a, b in
            let (x, y) = (a.costs[key] ?? 0, b.costs[key] ?? 0)
            return x != y ? x < y : a.number < b.number
        }
    }

    /// pareto.json: the objectives and the front's trials with their value and costs.
    static func paretoJSON(_ front: [TrialState], rungs: Rungs, objectives: StudyObjectives, runDir: (Int) -> String)
        -> JSONValue
    {
        let rows: [JSONValue] = front.map { t in
            var o: JSONObject = ["trial": .int(t.number), objectives.metric.rawValue: .number(t.values[rungs.top])]
            for c in objectives.costs { o[c.rawValue] = t.costs[c.rawValue].map(JSONValue.number) ?? .null }
            o["params_sampled"] = .object(t.params)
            o["run"] = .string(runDir(t.number))
            return .object(o)
        }
        return [
            "objectives": .array(
                [.string(objectives.metric.rawValue + " max")] + objectives.costs.map { .string($0.rawValue + " min") }),
            "front": .array(rows),
        ]
    }
}
