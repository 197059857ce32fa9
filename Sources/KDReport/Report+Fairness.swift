// Report+Fairness: the files and page section `kdistill report --fairness` adds: fairness.md, fairness.csv,
// fairness-classes.csv, fairness-classes.svg and, when runs wrote training counts, fairness-counts.svg.

/// The fairness part of a report, ready to write.
public struct FairnessOutput {
    /// The analysis.
    public var analysis: FairnessAnalysis
    /// (file name, text) in writing order.
    public var files: [(name: String, text: String)]
    /// The index.html section (XHTML).
    public var html: String

    /// The output of `grouped` with `baseline` (`--fairness-baseline`, nil for the rule).
    public init(_ grouped: GroupedRuns, baseline: String?) throws {
        analysis = try FairnessAnalysis.make(grouped, baseline: baseline)
        let markdown = FairnessTables.markdown(analysis)
        var plots = [("Per-class accuracy", "fairness-classes.svg", FairnessPlots.classes(analysis))]
        if let counts = FairnessPlots.counts(analysis) {
            plots.append(("Per-class accuracy against training images", "fairness-counts.svg", counts))
        }
        files =
            [
                ("fairness.md", markdown), ("fairness.csv", FairnessCSV.groups(analysis)),
                ("fairness-classes.csv", FairnessCSV.classes(analysis)),
            ] + plots.map { ($0.1, $0.2.fileText()) }
        html = Self.page(analysis, plots: plots.map { ($0.0, $0.2) })
    }

    /// The page section: the tables, definitions, notes and drawings.
    static func page(_ a: FairnessAnalysis, plots: [(title: String, svg: SVGElement)]) -> String {
        var body = [
            ReportPage.element("h2", "Fairness: per-class test accuracy"), ReportPage.table(FairnessTables.perClass(a)),
        ]
        let distilled = a.groups.filter { $0.teacher != nil }
        if !distilled.isEmpty {
            body += [
                ReportPage.element("h2", "Distillation effect against the one-hot student"),
                ReportPage.table(FairnessTables.effects(a)), ReportPage.element("p", FairnessTables.definitions),
            ]
            for g in distilled {
                body.append(ReportPage.element("h3", g.label + (g.baseline.map { " against \($0)" } ?? "")))
                body.append(ReportPage.table(FairnessTables.comparison(g, baseline: a.groups.first { $0.label == g.baseline })))
            }
        }
        let notes = a.notes + a.withoutFigures.map { "\($0): no per-class figures in summary.json (not shown)" }
        if !notes.isEmpty { body.append(ReportPage.list(notes)) }
        for plot in plots {
            body += [ReportPage.element("h2", plot.title), "<div class=\"plot\">\n" + plot.svg.rendered() + "\n</div>"]
        }
        return body.joined(separator: "\n")
    }
}
