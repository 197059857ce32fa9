// RobustnessTables: the tables of `report --robustness`: clean, robust accuracy per attack and ε, mCA and
// rCA per group and teacher; each corruption's mean accuracy per group; robustness.md around them, and the
// same numbers as CSV (fractions, as in summary.json).

import Foundation

/// Tables and text of the robustness analysis.
public enum RobustnessTables {
    /// Percent, mean ± std as the main table prints it; `—` when unknown.
    static func pct(_ x: MeanStd?) -> String { x?.text() ?? "—" }
    /// A ratio (rCA, mCE) with three decimals.
    static func ratio(_ x: MeanStd?) -> String { x?.text(scale: 1, digits: 3) ?? "—" }

    /// One row per group and teacher: seeds, clean, each attack (by attack then ε), mCA and rCA (with
    /// corruptions), mCE and relative mCE (with a baseline).
    public static func summary(_ a: RobustnessAnalysis) -> TextTable {
        let corr = a.hasCorruptions ? ["mCA (%)", "rCA"] : []
        let base = a.hasBaseline ? ["mCE", "relative mCE"] : []
        let header = ["group", "seeds", "clean (%)"] + a.columns.map { a.title($0) + " (%)" } + corr + base
        var table = TextTable(header: header, numeric: [false] + Array(repeating: true, count: header.count - 1))
        for row in a.rows {
            var cells = [row.label, row.isTeacher ? "—" : String(row.runs), pct(row.clean)]
            cells += a.columns.map { pct(row.attacks[$0]) }
            if a.hasCorruptions { cells += [pct(row.mca), ratio(row.rca)] }
            if a.hasBaseline { cells += [ratio(row.mce), ratio(row.relativeMCE)] }
            table.rows.append(cells)
        }
        return table
    }

    /// One row per group and teacher with corruption figures: each corruption's accuracy averaged over
    /// severities (A_c), then mCA; nil when no run evaluated corruptions.
    public static func corruptions(_ a: RobustnessAnalysis) -> TextTable? {
        guard a.hasCorruptions else { return nil }
        let header = ["group"] + a.corruptionNames + ["mCA"]
        var table = TextTable(header: header, numeric: [false] + Array(repeating: true, count: header.count - 1))
        for row in a.rows where row.mca != nil || !row.corruptions.isEmpty {
            table.rows.append([row.label] + a.corruptionNames.map { pct(row.corruptions[$0]) } + [pct(row.mca)])
        }
        return table
    }

    /// What the figures are.
    public static let definitions =
        "Test accuracy in %: mean ± sample std (n − 1) over the seeds of a group. Robust accuracy counts an image "
        + "only if its clean prediction and its prediction after the attack (every restart) are correct: L∞, "
        + "[0, 1] pixels, white-box, evaluation mode; PGD-k takes k steps (Madry et al. 2018), FGSM one "
        + "(Goodfellow et al. 2015). A_c is a corruption's accuracy averaged over severities, mCA = mean_c A_c, "
        + "rCA = mCA / clean; mCE is the mean corruption error relative to the run's baseline (Hendrycks & "
        + "Dietterich 2019). A teacher row averages what the distilled runs measured of that teacher."

    /// robustness.md: both tables, the definitions and the notes.
    public static func markdown(_ a: RobustnessAnalysis) -> String {
        var out = "## Robustness\n\n" + summary(a).markdown() + "\n" + definitions + "\n"
        if let c = corruptions(a) {
            out += "\n### Accuracy per corruption (mean over severities, %)\n\n" + c.markdown()
        }
        let notes = a.remarks
        if !notes.isEmpty { out += "\n" + notes.map { "- \($0)\n" }.joined() }
        return out
    }

    /// robustness.csv: one row per group and teacher (`kind` group or teacher), fractions as in summary.json,
    /// mean and sample std (empty for one run) of clean, each attack, mCA, rCA, mCE, relative mCE and each A_c.
    public static func csv(_ a: RobustnessAnalysis) -> String {
        let stems =
            ["clean"] + a.columns.map { a.csvName($0) } + ["mca", "rca", "mce", "relative_mce"]
            + a.corruptionNames.map { "corruption_" + $0 }
        let header = ["group", "kind", "runs"] + stems.flatMap { [$0 + "_mean", $0 + "_std"] }
        var lines = [header.map(ResultsTable.csvField).joined(separator: ",")]
        for row in a.rows {
            let stats =
                [row.clean] + a.columns.map { row.attacks[$0] } + [row.mca, row.rca, row.mce, row.relativeMCE]
                + a.corruptionNames.map { row.corruptions[$0] }
            let cells =
                [row.label, row.isTeacher ? "teacher" : "group", String(row.runs)]
                + stats.flatMap { [ResultsTable.number($0?.mean), ResultsTable.number($0?.std)] }
            lines.append(cells.map(ResultsTable.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
