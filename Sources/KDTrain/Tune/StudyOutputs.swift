// StudyOutputs: what a study leaves for people (beyond.md 4.1): leaderboard.json, .csv and .md (every trial,
// its rung values and sampled keys, the best first), curves.svg (StudyReport) and best.json, the chosen
// config ready to run.

import Foundation
import KDJSON

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
    static func json(_ state: StudyState, rungs: Rungs, files: StudyFiles, builder: TrialConfigBuilder) -> JSONValue {
        let rows: [JSONValue] = ranked(state).map { t in
            var o: JSONObject = ["trial": .int(t.number), "status": .string(status(t, rungs: rungs))]
            o["epochs"] = .int(t.values.isEmpty ? 0 : rungs.epochs[t.values.count - 1])
            o["val_acc"] = t.values.last.flatMap { $0.isFinite ? JSONValue.number($0) : nil } ?? .null
            o["rungs"] = .array(t.values.map { $0.isFinite ? .number($0) : .null })
            o["params"] = .object(t.params)
            o["run"] = .string(builder.runDirectory(t.duplicateOf ?? t.number))
            return .object(o)
        }
        return ["rung_epochs": .array(rungs.epochs.map(JSONValue.int)), "trials": .array(rows)]
    }

    /// leaderboard.csv: trial, status, epochs, val_acc, one column per rung, one per searched key.
    static func csv(_ board: JSONValue, keys: [String]) -> String {
        let rungs = board["rung_epochs"]?.arrayValue?.compactMap(\.intValue) ?? []
        var lines = [(["trial", "status", "epochs", "val_acc"] + rungs.map { "val_acc_e\($0)" } + keys).joined(separator: ",")]
        for row in board["trials"]?.arrayValue ?? [] {
            let values = row["rungs"]?.arrayValue ?? []
            var cells = [row["trial"], row["status"], row["epochs"], row["val_acc"]].map(cell)
            cells += rungs.indices.map { $0 < values.count ? cell(values[$0]) : "" }
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

    /// Writes leaderboard.json|csv|md, curves.svg and, once a trial reached R, best.json (the best trial's config writing to final/).
    static func write(_ state: StudyState, rungs: Rungs, files: StudyFiles, builder: TrialConfigBuilder, keys: [String]) throws {
        let board = json(state, rungs: rungs, files: files, builder: builder)
        try files.write(board.formatted() + "\n", to: files.leaderboardJSON)
        try files.write(csv(board, keys: keys), to: files.leaderboardCSV)
        try files.write(StudyReport.markdown(board, keys: keys), to: files.leaderboardMarkdown)
        try files.write(StudyReport.curves(state, rungs: rungs, builder: builder).fileText(), to: files.curvesPath)
        guard let best = state.best(rungs: rungs) else { return }
        let config = try builder.config(best.params, name: builder.baseName + "-best", dir: files.finalDir, label: "best")
        try files.write(config.resolvedJSON.formatted() + "\n", to: files.bestPath)
    }
}
