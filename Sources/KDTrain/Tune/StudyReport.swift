// StudyReport: the study's pages for people: leaderboard.md (the leaderboard as a Markdown table) and
// curves.svg (each trial's validation accuracy per epoch, read from its metrics.jsonl; a line ends at
// the rung where the trial stopped).

import Foundation
import KDJSON
import KDReport

/// leaderboard.md and curves.svg.
enum StudyReport {
    /// The leaderboard (leaderboard.json's rows) as Markdown.
    static func markdown(_ board: JSONValue, keys: [String]) -> String {
        let rungs = board["rung_epochs"]?.arrayValue?.compactMap(\.intValue) ?? []
        let header = ["trial", "status", "epochs", "val_acc (%)"] + rungs.map { "e\($0) (%)" } + keys
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---|" }.joined()]
        let pct = { (v: JSONValue?) in v?.doubleValue.map { String(format: "%.2f", $0 * 100) } ?? "—" }
        for row in board["trials"]?.arrayValue ?? [] {
            let values = row["rungs"]?.arrayValue ?? []
            var cells = [row["trial"], row["status"], row["epochs"]].map { StudyOutputs.cell($0) } + [pct(row["val_acc"])]
            cells += rungs.indices.map { $0 < values.count ? pct(values[$0]) : "" }
            cells += keys.map { StudyOutputs.cell(row["params"]?[$0]) }
            lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Validation accuracy per epoch of every trial trained so far, rung epochs marked on the x axis by the lines' ends.
    static func curves(_ state: StudyState, rungs: Rungs, builder: TrialConfigBuilder) -> SVGElement {
        let series = state.trials.filter { $0.live && !$0.values.isEmpty }.map { t -> LineSeries in
            let lines = RunFiles.readJSONLines(builder.runDirectory(t.number) + "/metrics.jsonl")
            let points = lines.compactMap { line -> (x: Double, y: Double)? in
                guard let e = line["epoch"]?.doubleValue, let v = line["val_acc"]?.doubleValue, v.isFinite else { return nil }
                return (e, v * 100)
            }
            return LineSeries(label: "trial \(t.number)", points: points, dashed: t.values.count < rungs.epochs.count)
        }
        let chart = LineChart(
            title: "Validation accuracy per epoch (dashed: stopped before \(rungs.epochs[rungs.top]) epochs)", xLabel: "epoch",
            yLabel: "validation accuracy (%)", series: series)
        let (width, height) = (700.0, max(360.0, 60 + 18 * Double(series.count)))  // room for the legend column
        return SVGElement.document(width: width, height: height, children: [chart.render(width: width, height: height)])
    }
}
