// Report+Robustness: the files and page section `kdistill report --robustness` adds: robustness.md,
// robustness.csv and robustness.svg (robust accuracy against ε).

/// The robustness part of a report, ready to write.
public struct RobustnessOutput {
    /// The analysis.
    public var analysis: RobustnessAnalysis
    /// (file name, text) in writing order.
    public var files: [(name: String, text: String)]
    /// The index.html section (XHTML).
    public var html: String

    /// The file names written, in order.
    public static let fileNames = ["robustness.md", "robustness.csv", "robustness.svg"]

    /// The output of `grouped`; an input error when no run has robustness figures.
    public init(_ grouped: GroupedRuns) throws {
        analysis = try RobustnessAnalysis.make(grouped)
        let plot = RobustnessPlots.accuracy(analysis)
        let texts = [RobustnessTables.markdown(analysis), RobustnessTables.csv(analysis), plot.fileText()]
        files = Array(zip(Self.fileNames, texts)).map { (name: $0.0, text: $0.1) }
        html = Self.page(analysis, plot: plot)
    }

    /// The page section: the tables, definitions, notes and the drawing.
    static func page(_ a: RobustnessAnalysis, plot: SVGElement) -> String {
        var body = [
            ReportPage.element("h2", "Robustness: clean, adversarial and corrupted test accuracy"),
            ReportPage.table(RobustnessTables.summary(a)), ReportPage.element("p", RobustnessTables.definitions),
        ]
        if let c = RobustnessTables.corruptions(a) {
            body += [ReportPage.element("h3", "Accuracy per corruption (mean over severities, %)"), ReportPage.table(c)]
        }
        let notes = a.remarks
        if !notes.isEmpty { body.append(ReportPage.list(notes)) }
        if !a.columns.isEmpty {
            body += [
                ReportPage.element("h2", "Robust accuracy against ε"), "<div class=\"plot\">\n" + plot.rendered() + "\n</div>",
            ]
        }
        return body.joined(separator: "\n")
    }
}
