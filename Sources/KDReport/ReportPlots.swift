// ReportPlots: the report's three drawings from grouped runs: learning curves (test accuracy per
// epoch, mean over seeds, one line per group), loss terms per epoch (one panel per group) and a bar
// chart of last- and best-epoch accuracy per group with ± one sample std error bars.

/// The report's SVG drawings.
public enum ReportPlots {
    /// Mean over `runs` of a per-epoch value, at every epoch any run has (epochs ascending).
    public static func meanCurve(_ runs: [RunRecord], _ series: (RunRecord) -> [(epoch: Double, value: Double)]) -> [(
        x: Double, y: Double
    )] {
        var sums: [Double: (Double, Int)] = [:]
        for r in runs {
            for p in series(r) {
                let (s, n) = sums[p.epoch] ?? (0, 0)
                sums[p.epoch] = (s + p.value, n + 1)
            }
        }
        return sums.keys.sorted().compactMap { e in sums[e].map { (e, $0.0 / Double($0.1)) } }
    }

    /// Groups whose runs wrote metrics.jsonl lines.
    static func withMetrics(_ g: GroupedRuns) -> [RunGroup] { g.groups.filter { $0.runs.contains { !$0.metrics.isEmpty } } }

    /// Test (or validation) accuracy in percent per epoch, one line per group.
    public static func curves(_ g: GroupedRuns) -> SVGElement {
        let groups = withMetrics(g)
        guard !groups.isEmpty else { return emptyDocument("No metrics.jsonl lines to plot") }
        let metrics = Set(groups.flatMap { $0.runs.compactMap(\.curveMetric) })
        let name = metrics == ["val_acc"] ? "validation" : metrics == ["test_acc"] || metrics.isEmpty ? "test" : "test/validation"
        // Past the palette's colours, lines repeat them dashed.
        let series = groups.enumerated().map { i, group in
            LineSeries(
                label: group.label,
                points: meanCurve(group.runs) { r in
                    r.curveMetric.map { key in r.series(key).map { ($0.epoch, $0.value * 100) } } ?? []
                }, dashed: (i / ChartPalette.colors.count) % 2 == 1)
        }
        let chart = LineChart(
            title: "\(name.prefix(1).uppercased() + name.dropFirst()) accuracy per epoch (mean over seeds)",
            xLabel: "epoch", yLabel: "\(name) accuracy (%)", series: series)
        let (width, height) = (560 + chart.legendWidth, max(360, chart.legendHeight))
        return SVGElement.document(width: width, height: height, children: [chart.render(width: width, height: height)])
    }

    /// Loss terms per epoch (mean over seeds), one panel per group, two panels a row.
    public static func losses(_ g: GroupedRuns) -> SVGElement {
        let groups = withMetrics(g)
        let charts = groups.map { group -> LineChart in
            var terms: [String] = []
            for r in group.runs { for t in r.lossTerms where !terms.contains(t) { terms.append(t) } }
            let series = terms.map { term in
                LineSeries(label: term, points: meanCurve(group.runs) { $0.series(term) }, dashed: term == "train_loss")
            }
            return LineChart(title: group.label, xLabel: "epoch", yLabel: "loss", series: series)
        }
        guard !charts.isEmpty else { return emptyDocument("No metrics.jsonl lines to plot") }
        let panelWidth = 320 + (charts.map(\.legendWidth).max() ?? 0), panelHeight = 280.0
        let columns = charts.count > 1 ? 2 : 1
        var children: [SVGElement] = []
        for (i, chart) in charts.enumerated() {
            children.append(
                chart.render(
                    x: Double(i % columns) * panelWidth, y: Double(i / columns) * panelHeight,
                    width: panelWidth, height: panelHeight))
        }
        let rows = (charts.count + columns - 1) / columns
        return SVGElement.document(width: Double(columns) * panelWidth, height: Double(rows) * panelHeight, children: children)
    }

    /// Last- and best-epoch test accuracy (percent) per group: mean with ± one sample std.
    public static func methods(_ g: GroupedRuns) -> SVGElement {
        let groups = g.groups.filter { $0.last != nil || $0.best != nil }
        guard !groups.isEmpty else { return emptyDocument("No completed runs to compare") }
        let pct = { (x: Double?) in x.map { $0 * 100 } }
        let chart = BarChart(
            title: "Test accuracy by group (mean ± sample std over seeds)", yLabel: "test accuracy (%)",
            categories: groups.map(\.label),
            series: [
                BarSeries(
                    label: "last epoch", values: groups.map { pct($0.last?.mean) }, errors: groups.map { pct($0.last?.std) }),
                BarSeries(
                    label: "best epoch", values: groups.map { pct($0.best?.mean) }, errors: groups.map { pct($0.best?.std) }),
            ])
        let (element, width, height) = chart.render(minWidth: 600)
        return SVGElement.document(width: width, height: height, children: [element])
    }

    /// A small drawing holding only `message`.
    static func emptyDocument(_ message: String) -> SVGElement {
        SVGElement.document(
            width: 400, height: 60, children: [SVGElement.label(message, x: 200, y: 34, anchor: "middle", cls: "empty")])
    }
}
