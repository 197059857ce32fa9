// RobustnessAnalysis: `kdistill report --robustness` (beyond.md 2.4): per group, mean ± sample std over seeds
// of clean accuracy, robust accuracy per attack and ε, mCA, rCA, mCE and each corruption's mean accuracy
// (summary.json `robustness`); then each distinct teacher once, from the figures its students measured.

import Foundation

/// One row of the robustness tables: a group (seeds averaged) or a teacher (its evaluations averaged).
public struct RobustnessRow {
    /// The group's label, or `teacher PATH` / `teacher (of GROUP)`.
    public var label: String
    /// Whether the row is a teacher's.
    public var isTeacher: Bool
    /// Runs averaged (a teacher row: the runs that evaluated it).
    public var runs: Int
    /// Clean accuracy A₀.
    public var clean: MeanStd?
    /// Robust accuracy per attack setting.
    public var attacks: [AttackColumn: MeanStd]
    /// mCA, rCA, mCE and relative mCE.
    public var mca: MeanStd?, rca: MeanStd?, mce: MeanStd?, relativeMCE: MeanStd?
    /// Mean accuracy over severities per corruption.
    public var corruptions: [String: MeanStd]

    /// The statistics of `figures` (one per run).
    init(label: String, isTeacher: Bool, figures: [NetworkRobustness]) {
        (self.label, self.isTeacher, runs) = (label, isTeacher, figures.count)
        clean = MeanStd(figures.compactMap(\.clean))
        let columns = Set(figures.flatMap(\.attacks.keys))
        attacks = Dictionary(
            uniqueKeysWithValues: columns.compactMap { c in MeanStd(figures.compactMap { $0.attacks[c] }).map { (c, $0) } })
        let blocks = figures.compactMap(\.corruptions)
        mca = MeanStd(blocks.compactMap(\.mca))
        rca = MeanStd(blocks.compactMap(\.rca))
        mce = MeanStd(blocks.compactMap(\.mce))
        relativeMCE = MeanStd(blocks.compactMap(\.relativeMCE))
        var values: [String: [Double]] = [:]
        for b in blocks { for (name, a) in b.means { values[name, default: []].append(a) } }
        corruptions = values.compactMapValues { MeanStd($0) }
    }
}

/// The robustness part of a report.
public struct RobustnessAnalysis {
    /// Groups with figures (group order), then each distinct teacher.
    public var rows: [RobustnessRow]
    /// Attack settings any row has, by attack then ε.
    public var columns: [AttackColumn]
    /// Corruption names in the order first written.
    public var corruptionNames: [String]
    /// Labels of groups without robustness figures.
    public var withoutFigures: [String]
    /// What a reader should know (runs of a group without figures, differing threat models), one line each.
    public var notes: [String]

    /// Whether any row has corruption figures (the mCA and rCA columns and the second table).
    public var hasCorruptions: Bool { rows.contains { $0.mca != nil || !$0.corruptions.isEmpty } }
    /// Whether any row was compared with a corruption baseline (the mCE columns).
    public var hasBaseline: Bool { rows.contains { $0.mce != nil } }
    /// The notes, then one line per group left out: what the tables and the page list under them.
    public var remarks: [String] { notes + withoutFigures.map { "\($0): no robustness figures in summary.json (not shown)" } }

    /// The analysis of `grouped`; an input error when no run has a `robustness` block.
    public static func make(_ grouped: GroupedRuns) throws -> RobustnessAnalysis {
        var out = RobustnessAnalysis(rows: [], columns: [], corruptionNames: [], withoutFigures: [], notes: [])
        var teachers: [(key: [String], label: String, figures: [NetworkRobustness])] = []
        var threatModels: [String] = []
        for g in grouped.groups {
            let figures = g.runs.compactMap(\.robustness)
            guard !figures.isEmpty else {
                if !g.runs.isEmpty { out.withoutFigures.append(g.label) }
                continue
            }
            if figures.count < g.runs.count {
                out.notes.append(
                    "\(g.label): \(g.runs.count - figures.count) of \(g.runs.count) runs without robustness figures "
                        + "(averaged over the others)")
            }
            out.rows.append(RobustnessRow(label: g.label, isTeacher: false, figures: figures.map(\.student)))
            for f in figures {
                if let t = f.threatModel, !threatModels.contains(t) { threatModels.append(t) }
                for (c, _) in f.student.attacks where !out.columns.contains(c) { out.columns.append(c) }
                for (name, _) in f.student.corruptions?.means ?? [] where !out.corruptionNames.contains(name) {
                    out.corruptionNames.append(name)
                }
            }
            // A teacher is one row however many groups distilled from it (by its checkpoints when known).
            for r in g.runs {
                guard let t = r.robustness?.teacher else { continue }
                let key = r.teacherPaths.isEmpty ? ["\u{0}" + g.label] : r.teacherPaths.sorted()
                if let k = teachers.firstIndex(where: { $0.key == key }) {
                    teachers[k].figures.append(t)
                } else {
                    let label = r.teacherPaths.isEmpty ? "teacher (of \(g.label))" : "teacher " + key.joined(separator: ", ")
                    teachers.append((key, label, [t]))
                }
            }
        }
        guard !out.rows.isEmpty else {
            throw ReportError(
                .input,
                "--robustness: expected runs whose summary.json has a `robustness` block (a config `evaluation` "
                    + "section), found none")
        }
        out.rows += teachers.map { RobustnessRow(label: $0.label, isTeacher: true, figures: $0.figures) }
        for row in out.rows where row.isTeacher {
            for c in row.attacks.keys where !out.columns.contains(c) { out.columns.append(c) }
        }
        out.columns.sort()
        if threatModels.count > 1 {
            out.notes.append("runs differ in threat model: " + threatModels.joined(separator: "; "))
        }
        return out
    }

    /// The column title of `c`: `FGSM ε=0.1`, `PGD-20 ε=8/255`; with `α=…` when two columns would read alike.
    public func title(_ c: AttackColumn) -> String {
        let base = c.family + " ε=" + c.epsText
        let twins = columns.filter { $0.family == c.family && $0.epsText == c.epsText }
        return twins.count > 1 ? base + " α=" + ResultsTable.number(c.stepSize ?? c.eps) : base
    }

    /// The CSV stem of `c`: `fgsm_eps0.1`, `pgd20_eps0.1`, `pgd20x5_eps0.1`, `pgd20cs_eps0.1`, `…_a0.02`.
    public func csvName(_ c: AttackColumn) -> String {
        var stem = c.attack == "fgsm" ? "fgsm" : c.attack + "\(c.steps)"
        if c.restarts > 1 { stem += "x\(c.restarts)" }
        if c.attack == "pgd" && !c.randomStart { stem += "cs" }
        stem += "_eps" + ResultsTable.number(c.eps)
        let twins = columns.filter { $0.family == c.family && $0.epsText == c.epsText }
        return twins.count > 1 ? stem + "_a" + ResultsTable.number(c.stepSize ?? c.eps) : stem
    }
}
