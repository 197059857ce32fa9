// FairnessTables: the tables of `report --fairness`: per-class accuracy by group (and teacher), the
// distillation effect of each distilled group against its one-hot student, one per-class comparison
// per distilled group, fairness.md around them, and the same numbers as CSV.

import Foundation

/// Tables and text of the fairness analysis.
public enum FairnessTables {
    /// Percent with two decimals; `—` when unknown.
    static func pct(_ x: Double?) -> String { x.map { ReportFormat.fixed($0 * 100, 2) } ?? "—" }

    /// Per-class columns are shown up to this many classes (the CSV always has them).
    static let maxClassColumns = 20

    /// Rows to show: every group, then each distinct teacher (by its checkpoints) of the distilled groups.
    static func rows(_ a: FairnessAnalysis) -> [(label: String, seeds: String, figures: ClassFairness, of: GroupFairness)] {
        var out = a.groups.map { ($0.label, String($0.seeds), $0.student, $0) }
        var seen: Set<[String]> = []
        for g in a.groups {
            guard let t = g.teacher, seen.insert(g.teacherPaths).inserted else { continue }
            out.append(
                ("teacher " + (g.teacherPaths.isEmpty ? "of \(g.label)" : g.teacherPaths.joined(separator: ", ")), "—", t, g))
        }
        return out
    }

    /// One row per group and teacher: per-class accuracy (up to 20 classes), mean per-class, worst class,
    /// worst-k means, and head/medium/tail means when training counts exist.
    public static func perClass(_ a: FairnessAnalysis) -> TextTable {
        let first = a.groups[0].student
        let classes = first.classCount <= maxClassColumns ? (0..<first.classCount).map(first.name) : []
        let ks = FairnessRule.worstK(classes: first.classCount).filter { $0 > 1 }
        let parts = a.hasCounts ? ["head", "medium", "tail"] : []
        var table = TextTable(
            header: ["group", "seeds"] + classes + ["mean per-class", "worst class"] + ks.map { "worst-\($0) mean" } + parts,
            numeric: [false] + Array(repeating: true, count: 1 + classes.count + 2 + ks.count + parts.count))
        for row in rows(a) {
            let f = row.figures
            let cells = classes.indices.map { pct($0 < f.classCount ? f.accuracy[$0] : nil) }
            let worst = f.worstClass.map { pct($0.accuracy) + " (\(f.name($0.index)))" } ?? "—"
            let worstK = ks.map { k in pct(f.worstKMeans.first { $0.k == k }?.mean) }
            let hmt =
                parts.isEmpty
                ? [] : row.of.headMediumTail(f).map { [pct($0.head), pct($0.medium), pct($0.tail)] } ?? ["—", "—", "—"]
            table.rows.append([row.label, row.seeds] + cells + [pct(f.meanPerClass), worst] + worstK + hmt)
        }
        return table
    }

    /// One row per distilled group: its baseline, mean and min d_c (pp), harmed classes, ρ(a_T, d), and the
    /// worst-class accuracy of S_kd, S_ce and the teacher.
    public static func effects(_ a: FairnessAnalysis) -> TextTable {
        var table = TextTable(
            header: [
                "group", "S_ce", "mean d (pp)", "min d (pp)", "harmed classes", "ρ(a_T, d)", "worst S_kd (%)",
                "worst S_ce (%)", "worst T (%)",
            ], numeric: [false, false, true, true, false, true, true, true, true])
        for g in a.groups where g.teacher != nil {
            let e = g.amplification
            let minimum = e?.effect.minimum.map { pct($0.value) + " (\(g.student.name($0.index)))" } ?? "—"
            table.rows.append([
                g.label, g.baseline ?? "—", pct(e?.effect.mean), minimum,
                e.map { $0.harmed.isEmpty ? "none" : $0.harmed.map(g.student.name).joined(separator: ", ") } ?? "—",
                e?.rho.map { ReportFormat.fixed($0, 2) } ?? "—", pct(e?.worstDistilled), pct(e?.worstBaseline),
                pct(g.teacher?.worstClass?.accuracy),
            ])
        }
        return table
    }

    /// Per class of distilled group `g` (ordered by training images when known): n_train, n_test, T, S_ce,
    /// S_kd (mean ± std over seeds), d_c, SE(d_c) and whether the class is harmed.
    public static func comparison(_ g: GroupFairness, baseline: GroupFairness?) -> TextTable {
        let counts = g.trainCounts != nil
        var table = TextTable(
            header: ["class"] + (counts ? ["n_train"] : []) + [
                "n_test", "T (%)", "S_ce (%)", "S_kd (%)", "d (pp)", "SE(d) (pp)", "harmed",
            ],
            numeric: [false] + (counts ? [true] : []) + [true, true, true, true, true, true, false])
        let e = g.amplification
        for c in g.positions {
            let kd = pct(g.student.accuracy[c]) + " ± " + (g.studentStd[c].map { ReportFormat.fixed($0 * 100, 2) } ?? "—")
            table.rows.append(
                [g.student.name(c)] + (counts ? [g.trainCounts.map { ReportFormat.fixed($0[c], 0) } ?? "—"] : []) + [
                    String(g.student.support[c]), pct(g.teacher?.accuracy[c]), pct(baseline?.student.accuracy[c]), kd,
                    pct(e?.effect.perClass[c]), pct(e?.standardError[c]), e.map { $0.harmed.contains(c) ? "yes" : "" } ?? "—",
                ])
        }
        return table
    }

    /// fairness.md: the three kinds of table with the definitions and notes.
    public static func markdown(_ a: FairnessAnalysis) -> String {
        var out = "## Fairness\n\n### Per-class test accuracy (%, mean over seeds)\n\n" + perClass(a).markdown()
        if a.hasCounts {
            let parts = FairnessRule.headMediumTail(classes: a.groups[0].student.classCount)
            let span = { (r: Range<Int>) in
                r.isEmpty ? "none" : r.count == 1 ? "\(r.lowerBound)" : "\(r.lowerBound)–\(r.upperBound - 1)"
            }
            out +=
                "\nHead, medium and tail: mean accuracy over the classes at positions \(span(parts.head)), "
                + "\(span(parts.medium)) and \(span(parts.tail)) when ordered by training images, most first "
                + "(`train_class_counts`; the first and last ceil(3K/10) positions of K classes).\n"
        }
        let distilled = a.groups.filter { $0.teacher != nil }
        if !distilled.isEmpty {
            out += "\n### Distillation effect against the one-hot student\n\n" + effects(a).markdown() + "\n" + definitions + "\n"
            for g in distilled {
                out += "\n### \(g.label)" + (g.baseline.map { " against \($0)" } ?? "") + "\n\n"
                out += comparison(g, baseline: a.groups.first { $0.label == g.baseline }).markdown()
            }
        }
        let notes = a.notes + a.withoutFigures.map { "\($0): no per-class figures in summary.json (not shown)" }
        if !notes.isEmpty { out += "\nNotes:\n" + notes.map { "- \($0)\n" }.joined() }
        return out
    }

    /// How the effect figures are defined (printed under the table).
    public static let definitions =
        "d_c = a_c(S_kd) − a_c(S_ce) in percentage points on the test split, accuracies averaged over seeds; "
        + "harmed: d_c < −2·SE(d_c), SE(d_c) = sqrt((ā_kd(1 − ā_kd) + ā_ce(1 − ā_ce))/n_c) with n_c the class's "
        + "test images; ρ: Spearman's rank correlation (ties by average ranks) between the teacher's a_c and d_c "
        + "(Lukasik et al. 2022 show distillation can harm the classes where the teacher is weak; ρ > 0 with some "
        + "d_c < 0 is that pattern). The teacher's a_c is the distilled runs' own evaluation of their teacher."
}
