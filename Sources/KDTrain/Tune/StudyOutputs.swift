// StudyOutputs: what a study leaves for people (beyond.md 4.1): leaderboard.json, .csv and .md (every trial,
// its rung values, costs and sampled keys, the best first), curves.svg, pareto.json and pareto.svg (with
// costs among the objectives), index.html (StudyReport) and best.json, the chosen config ready to run.

import Foundation
import KDJSON
import KDReport

/// The leaderboard and best.json.
enum StudyOutputs {
    /// Trials ranked: highest rung reached, then the value there, then the lower number; duplicates last.
    static func ranked(_ state: StudyState) -> [TrialState] {
        state.trials.sorted { a, b in
            if a.live != b.live { return a.live }
            if a.values.count != b.values.count { return a.values.count > b.values.count }
            let (x, y) = (a.values.last ?? -.infinity, b.values.last ?? -.infinity)
            return x != y ? x > y : a.number < b.number
        }
    }

    /// A trial's status word.
    static func status(_ t: TrialState, rungs: Rungs) -> String {
        if let of = t.duplicateOf { return "duplicate of \(of)" }
        if t.withdrawn { return "invalid" }
        if t.failed { return "failed" }
        if t.pending { return "running" }
        return t.values.count == rungs.epochs.count ? "completed" : "stopped"
    }

    /// leaderboard.json.
    /// Rows keyed by the objective's name (`val_acc`: the value at the last rung reached), with `rungs`,
    /// `costs` and the sampled `params`.
    static func json(_ state: StudyState, rungs: Rungs, objectives: StudyObjectives, builder: TrialConfigBuilder) -> JSONValue {
        let name = objectives.metric.rawValue
        let rows: [JSONValue] = ranked(state).map { t in
            var o: JSONObject = ["trial": .int(t.number), "status": .string(status(t, rungs: rungs))]
            o["epochs"] = .int(t.values.isEmpty ? 0 : rungs.epochs[t.values.count - 1])
            o[name] = t.values.last.flatMap { $0.isFinite ? JSONValue.number($0) : nil } ?? .null
            o["rungs"] = .array(t.values.map { $0.isFinite ? .number($0) : .null })
            if !t.costs.isEmpty {
                var c = JSONObject()
                for m in StudyMetric.allCases { c[m.rawValue] = t.costs[m.rawValue].map(JSONValue.number) }
                o["costs"] = .object(c)
            }
            o["params"] = .object(t.params)
            o["run"] = .string(builder.runDirectory(t.duplicateOf ?? t.number))
            return .object(o)
        }
        return [
            "objective": .string(name), "costs": .array(objectives.measuredCosts.map { .string($0.rawValue) }),
            "rung_epochs": .array(rungs.epochs.map(JSONValue.int)), "trials": .array(rows),
        ]
    }

    /// leaderboard.csv: trial, status, epochs, the objective, one column per rung, one per cost, one per searched key.
    static func csv(_ board: JSONValue, keys: [String]) -> String {
        let rungs = board["rung_epochs"]?.arrayValue?.compactMap(\.intValue) ?? []
        let name = board["objective"]?.stringValue ?? "val_acc"
        let costs = board["costs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var lines = [
            (["trial", "status", "epochs", name] + rungs.map { "\(name)_e\($0)" } + costs + keys).joined(separator: ",")
        ]
        for row in board["trials"]?.arrayValue ?? [] {
            let values = row["rungs"]?.arrayValue ?? []
            var cells = [row["trial"], row["status"], row["epochs"], row[name]].map(cell)
            cells += rungs.indices.map { $0 < values.count ? cell(values[$0]) : "" }
            cells += costs.map { cell(row["costs"]?[$0]) }
            cells += keys.map { cell(row["params"]?[$0]) }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cell(_ value: JSONValue?) -> String {
        guard let value, value != .null else { return "" }
        let text = value.stringValue ?? value.formatted(.compact)
        return text.contains(where: { $0 == "," || $0 == "\"" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// Writes leaderboard.json|csv|md, curves.svg, pareto.json|svg (with costs), index.html and, once a trial
    /// qualifies, best.json (the chosen trial's config writing to final/); returns the chosen trial.
    @discardableResult
    static func write(
        _ state: StudyState, settings: StudySettings, files: StudyFiles, builder: TrialConfigBuilder, keys: [String], pick: Int?
    ) throws -> TrialState? {
        let (rungs, objectives) = (settings.rungs, settings.objectives)
        let board = json(state, rungs: rungs, objectives: objectives, builder: builder)
        try files.write(board.formatted() + "\n", to: files.leaderboardJSON)
        try files.write(csv(board, keys: keys), to: files.leaderboardCSV)
        try files.write(StudyReport.markdown(board, keys: keys), to: files.leaderboardMarkdown)
        let curves = StudyReport.curves(state, rungs: rungs, builder: builder, metric: objectives.metric)
        try files.write(curves.fileText(), to: files.curvesPath)
        var pareto: SVGElement?
        if !objectives.costs.isEmpty {
            let front = StudySelection.front(state, rungs: rungs, costs: objectives.costs)
            let record = StudySelection.paretoJSON(front, rungs: rungs, objectives: objectives, runDir: builder.runDirectory)
            try files.write(record.formatted() + "\n", to: files.paretoJSON)
            pareto = StudyReport.pareto(state, front: front, rungs: rungs, objectives: objectives)
            if let pareto { try files.write(pareto.fileText(), to: files.paretoSVG) }
        }
        let chosen = try StudySelection.choose(state, rungs: rungs, objectives: objectives, pick: pick)
        try files.write(
            StudyReport.page(board, keys: keys, settings: settings, chosen: chosen?.number, curves: curves, pareto: pareto),
            to: files.pagePath)
        guard let chosen else { return nil }
        let config = try builder.config(chosen.params, name: builder.baseName + "-best", dir: files.finalDir, label: "best")
        try files.write(config.resolvedJSON.formatted() + "\n", to: files.bestPath)
        return chosen
    }
}
