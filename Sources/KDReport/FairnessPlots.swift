// FairnessPlots: the drawings of `report --fairness`: per-class test accuracy as grouped bars (teacher,
// one-hot student, distilled student; one panel per distilled group), and per-class accuracy against
// log10 of the class's training images when the runs wrote `train_class_counts`.

import Foundation

/// SVG drawings of the fairness analysis.
public enum FairnessPlots {
    /// Per-class bars: one panel per distilled group (its teacher, its S_ce, itself, ± std over seeds), or one
    /// panel with every group when none is distilled. Drawn up to 20 classes.
    public static func classes(_ a: FairnessAnalysis) -> SVGElement {
        let first = a.groups[0].student
        guard first.classCount <= FairnessTables.maxClassColumns else {
            return ReportPlots.emptyDocument("Per-class bars are drawn up to \(FairnessTables.maxClassColumns) classes")
        }
        let pct = { (x: Double?) in x.map { $0 * 100 } }
        let names = (0..<first.classCount).map(first.name)
        func series(_ label: String, _ g: GroupFairness, teacher: Bool = false) -> BarSeries {
            let f = teacher ? g.teacher : g.student
            return BarSeries(
                label: label, values: names.indices.map { pct(f?.accuracy[$0]) },
                errors: names.indices.map { teacher ? nil : pct(g.studentStd[$0]) })
        }
        let distilled = a.groups.filter { $0.teacher != nil && $0.student.classCount == first.classCount }
        let charts: [BarChart]
        if distilled.isEmpty {
            charts = [
                BarChart(
                    title: "Per-class test accuracy (mean ± sample std over seeds)", yLabel: "test accuracy (%)",
                    categories: names,
                    series: a.groups.filter { $0.student.classCount == first.classCount }.map { series($0.label, $0) })
            ]
        } else {
            charts = distilled.map { g in
                var s = [series("teacher", g, teacher: true)]
                if let b = a.groups.first(where: { $0.label == g.baseline }) { s.append(series("one-hot: " + b.label, b)) }
                s.append(series(g.label, g))
                return BarChart(
                    title: "Per-class test accuracy: \(g.label) (mean ± sample std over seeds)", yLabel: "test accuracy (%)",
                    categories: names, series: s)
            }
        }
        var children: [SVGElement] = []
        var (y, width) = (0.0, 600.0)
        for chart in charts {
            let (element, w, h) = chart.render(y: y, minWidth: 600)
            children.append(element)
            y += h + 10
            width = max(width, w)
        }
        return SVGElement.document(width: width, height: y, children: children)
    }

    /// Per-class accuracy (%) against log10 of the class's training images, one line per group with counts
    /// and one per distinct teacher; nil when no group has counts.
    public static func counts(_ a: FairnessAnalysis) -> SVGElement? {
        let withCounts = a.groups.filter { $0.trainCounts != nil }
        guard !withCounts.isEmpty else { return nil }
        func points(_ f: ClassFairness, _ n: [Double]) -> [(x: Double, y: Double)] {
            f.accuracy.indices.compactMap { c in
                guard c < n.count, n[c] > 0, let acc = f.accuracy[c] else { return nil }
                return (log10(n[c]), acc * 100)
            }.sorted { $0.x < $1.x }
        }
        var series: [LineSeries] = []
        var seen: Set<[String]> = []
        for g in withCounts {
            guard let n = g.trainCounts else { continue }
            series.append(LineSeries(label: g.label, points: points(g.student, n)))
            if let t = g.teacher, seen.insert(g.teacherPaths).inserted {
                let name = g.teacherPaths.isEmpty ? "of \(g.label)" : g.teacherPaths.joined(separator: ", ")
                series.append(LineSeries(label: "teacher " + name, points: points(t, n), dashed: true))
            }
        }
        var chart = LineChart(
            title: "Per-class test accuracy against training images (mean over seeds)",
            xLabel: "log10 training images of the class", yLabel: "test accuracy (%)", series: series)
        chart.integralX = false
        let (width, height) = (560 + chart.legendWidth, max(360, chart.legendHeight))
        return SVGElement.document(width: width, height: height, children: [chart.render(width: width, height: height)])
    }
}
