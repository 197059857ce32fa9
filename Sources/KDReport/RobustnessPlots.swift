// RobustnessPlots: the drawing of `report --robustness`: robust accuracy (%) against ε, one panel per attack
// (PGD-k first when present, then FGSM), one line per group (mean over seeds) and a dashed one per teacher;
// each line starts at ε = 0 with the clean accuracy.

/// SVG drawings of the robustness analysis.
public enum RobustnessPlots {
    /// Attack families in panel order: PGD before FGSM (the stronger attack is the headline), then the rest.
    static func families(_ a: RobustnessAnalysis) -> [String] {
        var out: [String] = []
        let ordered = a.columns.filter { $0.attack == "pgd" } + a.columns.filter { $0.attack != "pgd" }
        for c in ordered where !out.contains(c.family) { out.append(c.family) }
        return out
    }

    /// (ε, accuracy %) of `row` under the attacks of `family`: clean at ε = 0, then each ε ascending.
    static func points(_ row: RobustnessRow, family: String, in a: RobustnessAnalysis) -> [(x: Double, y: Double)] {
        let attacked = a.columns.filter { $0.family == family }.compactMap { c in row.attacks[c].map { (c.eps, $0.mean * 100) } }
        guard !attacked.isEmpty else { return [] }
        return (row.clean.map { [(0.0, $0.mean * 100)] } ?? []) + attacked
    }

    /// Robust accuracy against ε, one panel per attack family stacked vertically.
    public static func accuracy(_ a: RobustnessAnalysis) -> SVGElement {
        let charts = families(a).map { family -> LineChart in
            let series = a.rows.map { row in
                LineSeries(label: row.label, points: points(row, family: family, in: a), dashed: row.isTeacher)
            }.filter { !$0.points.isEmpty }
            var chart = LineChart(
                title: "\(family): robust accuracy against ε (mean over seeds; ε = 0 is clean)", xLabel: "ε (L∞, [0, 1] pixels)",
                yLabel: "robust accuracy (%)", series: series)
            chart.integralX = false
            return chart
        }
        guard !charts.isEmpty else { return ReportPlots.emptyDocument("No attacks to plot") }
        let width = 560 + (charts.map(\.legendWidth).max() ?? 0)
        var (children, y) = ([SVGElement](), 0.0)
        for chart in charts {
            let height = max(340, chart.legendHeight)
            children.append(chart.render(y: y, width: width, height: height))
            y += height
        }
        return SVGElement.document(width: width, height: y, children: children)
    }
}
