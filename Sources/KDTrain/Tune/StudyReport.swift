// StudyReport: the study's pages for people: leaderboard.md (the leaderboard as a Markdown table), curves.svg
// (each trial's validation accuracy per epoch from its metrics.jsonl, or another objective at its rungs; a
// line ends where the trial stopped), pareto.svg (value against the first cost) and index.html.

import Foundation
import KDJSON
import KDReport

/// leaderboard.md and curves.svg.
enum StudyReport {
    /// The leaderboard (leaderboard.json's rows) as a table: percentages for the objective, costs and keys as they are.
    static func table(_ board: JSONValue, keys: [String]) -> TextTable {
        let rungs = board["rung_epochs"]?.arrayValue?.compactMap(\.intValue) ?? []
        let name = board["objective"]?.stringValue ?? "val_acc"
        let costs = board["costs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let header = ["trial", "status", "epochs", "\(name) (%)"] + rungs.map { "e\($0) (%)" } + costs + keys
        let numeric = header.indices.map { $0 != 1 && $0 < 4 + rungs.count + costs.count }
        var table = TextTable(header: header, numeric: numeric)
        let pct = { (v: JSONValue?) in v?.doubleValue.map { String(format: "%.2f", $0 * 100) } ?? "—" }
        for row in board["trials"]?.arrayValue ?? [] {
            let values = row["rungs"]?.arrayValue ?? []
            var cells = [row["trial"], row["status"], row["epochs"]].map { StudyOutputs.cell($0) } + [pct(row[name])]
            cells += rungs.indices.map { $0 < values.count ? pct(values[$0]) : "" }
            cells += costs.map { StudyOutputs.cell(row["costs"]?[$0]) }
            cells += keys.map { StudyOutputs.cell(row["params"]?[$0]) }
            table.rows.append(cells)
        }
        return table
    }

    /// leaderboard.md.
    static func markdown(_ board: JSONValue, keys: [String]) -> String { table(board, keys: keys).markdown() }

    /// Validation accuracy per epoch of every trial trained so far (another objective: its value at each rung
    /// reached), rung epochs marked on the x axis by the lines' ends.
    static func curves(_ state: StudyState, rungs: Rungs, builder: TrialConfigBuilder, metric: StudyMetric) -> SVGElement {
        let series = state.trials.filter { $0.live && !$0.values.isEmpty }.map { t -> LineSeries in
            let points: [(x: Double, y: Double)]
            if metric == .valAcc {
                let lines = RunFiles.readJSONLines(builder.runDirectory(t.number) + "/metrics.jsonl")
                points = lines.compactMap { line -> (x: Double, y: Double)? in
                    guard let e = line["epoch"]?.doubleValue, let v = line["val_acc"]?.doubleValue, v.isFinite else { return nil }
                    return (e, v * 100)
                }
            } else {
                points = t.values.enumerated().filter { $0.element.isFinite }.map {
                    (Double(rungs.epochs[$0.offset]), $0.element * 100)
                }
            }
            return LineSeries(label: "trial \(t.number)", points: points, dashed: t.values.count < rungs.epochs.count)
        }
        let what = metric == .valAcc ? "Validation accuracy per epoch" : "\(metric.rawValue) at each rung"
        let chart = LineChart(
            title: "\(what) (dashed: stopped before \(rungs.epochs[rungs.top]) epochs)", xLabel: "epoch",
            yLabel: "\(metric.rawValue) (%)", series: series)
        let (width, height) = (700.0, max(360.0, 60 + 18 * Double(series.count)))  // room for the legend column
        return SVGElement.document(width: width, height: height, children: [chart.render(width: width, height: height)])
    }

    /// The trials that reached R: the objective against log10 of the first cost, the Pareto front joined by a line.
    static func pareto(_ state: StudyState, front: [TrialState], rungs: Rungs, objectives: StudyObjectives) -> SVGElement? {
        guard let cost = objectives.costs.first?.rawValue else { return nil }
        func point(_ t: TrialState) -> (x: Double, y: Double)? {
            guard let c = t.costs[cost], c > 0, t.values[rungs.top].isFinite else { return nil }
            return (log10(c), t.values[rungs.top] * 100)
        }
        let onFront = Set(front.map(\.number))
        let others = StudySelection.finished(state, rungs: rungs).filter { !onFront.contains($0.number) }
        var chart = LineChart(
            title:
                "Pareto front: \(objectives.metric.rawValue) against \(cost) (trials that reached \(rungs.epochs[rungs.top]) epochs)",
            xLabel: "log10 \(cost)", yLabel: "\(objectives.metric.rawValue) (%)",
            series: [
                LineSeries(label: "Pareto front", points: front.compactMap(point)),
                LineSeries(label: "dominated", points: others.compactMap(point), markersOnly: true),
            ])
        chart.integralX = false
        return SVGElement.document(width: 700, height: 380, children: [chart.render(width: 700, height: 380)])
    }

    /// index.html: the settings, the chosen trial, the leaderboard table and the drawings.
    static func page(
        _ board: JSONValue, keys: [String], settings: StudySettings, chosen: Int?, curves: SVGElement, pareto: SVGElement?
    ) -> String {
        var sections = [
            "<h1>kdistill tune</h1>",
            "<p>"
                + SVGElement.escape(
                    "\(settings.scheduler.rawValue), η \(settings.eta), rungs \(settings.rungs.epochs.map(String.init).joined(separator: ", ")) "
                        + "epochs, \(settings.trials) trials, seed \(settings.seed); objective \(settings.objectives.metric.rawValue) on "
                        + "the validation split"
                        + (settings.objectives.costs.isEmpty
                            ? ""
                            : ", costs "
                                + settings.objectives.costs.map(\.rawValue).joined(separator: ", "))
                        + ". Chosen: " + (chosen.map { "trial \($0) (best.json)" } ?? "none yet") + ".") + "</p>",
            "<h2>Trials</h2>", ReportPage.table(table(board, keys: keys)),
            "<h2>Curves</h2>", "<div class=\"plot\">\n" + curves.rendered() + "\n</div>",
        ]
        if let pareto { sections += ["<h2>Pareto front</h2>", "<div class=\"plot\">\n" + pareto.rendered() + "\n</div>"] }
        return ReportPage.document(title: "kdistill tune", body: sections)
    }
}
