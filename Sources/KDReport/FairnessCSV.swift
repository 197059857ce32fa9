// FairnessCSV: the numbers of `report --fairness` as CSV with raw fractions: fairness.csv one row per
// group (summary figures and the distillation effect), fairness-classes.csv one row per group and class.

/// CSV files of the fairness analysis.
public enum FairnessCSV {
    static func n(_ x: Double?) -> String { ResultsTable.number(x) }

    /// One row per group: seeds, mean per-class, worst class, worst-k means, head/medium/tail, the teacher's
    /// mean per-class and worst class, the baseline, mean/min d, harmed classes (`;`-separated), ρ.
    public static func groups(_ a: FairnessAnalysis) -> String {
        let ks = FairnessRule.worstK(classes: a.groups[0].student.classCount)
        let header: [String] =
            ["group", "seeds", "mean_per_class_acc", "worst_class_acc", "worst_class"] + ks.map { "worst_\($0)_mean" }
            + [
                "head_acc", "medium_acc", "tail_acc", "teacher_mean_per_class_acc", "teacher_worst_class_acc", "baseline",
                "mean_d", "min_d", "min_d_class", "harmed_classes", "rho_teacher_d", "baseline_worst_class_acc",
            ]
        var lines = [header.map(ResultsTable.csvField).joined(separator: ",")]
        for g in a.groups {
            let f = g.student, e = g.amplification, hmt = g.headMediumTail(f)
            let worst: [String] = [n(f.worstClass?.accuracy), f.worstClass.map { f.name($0.index) } ?? ""]
            let worstK: [String] = ks.map { k in n(f.worstKMeans.first { $0.k == k }?.mean) }
            let parts: [String] = [n(hmt?.head), n(hmt?.medium), n(hmt?.tail)]
            let teacher: [String] = [n(g.teacher?.meanPerClass), n(g.teacher?.worstClass?.accuracy)]
            let minimum: String = e?.effect.minimum.map { f.name($0.index) } ?? ""
            let harmed: String = e.map { $0.harmed.map(f.name).joined(separator: ";") } ?? ""
            let effect: [String] = [
                g.baseline ?? "", n(e?.effect.mean), n(e?.effect.minimum?.value), minimum, harmed, n(e?.rho), n(e?.worstBaseline),
            ]
            let cells: [String] = [g.label, String(g.seeds), n(f.meanPerClass)] + worst + worstK + parts + teacher + effect
            lines.append(cells.map(ResultsTable.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per group and class: training and test images, accuracy mean and std over seeds, the teacher's,
    /// the baseline's, d, SE(d) and harmed (1/0; empty without a baseline).
    public static func classes(_ a: FairnessAnalysis) -> String {
        var lines = [
            "group,class,class_name,n_train,n_test,acc_mean,acc_std,teacher_acc,baseline,baseline_acc,d,se_d,harmed"
        ]
        for g in a.groups {
            let base = a.groups.first { $0.label == g.baseline }
            let e = g.amplification
            for c in 0..<g.student.classCount {
                let cells = [
                    g.label, String(c), g.student.name(c), n(g.trainCounts?[c]), String(g.student.support[c]),
                    n(g.student.accuracy[c]), n(g.studentStd[c]), n(g.teacher?.accuracy[c]), g.baseline ?? "",
                    n(base?.student.accuracy[c]), n(e?.effect.perClass[c]), n(e?.standardError[c]),
                    e.map { $0.harmed.contains(c) ? "1" : "0" } ?? "",
                ]
                lines.append(cells.map(ResultsTable.csvField).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
