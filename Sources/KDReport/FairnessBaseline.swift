// FairnessBaseline: which group is the one-hot student S_ce of a distilled group (beyond.md 3.2: same data,
// same student, trained on labels alone). The rule: a group trained on labels (summary `method` "labels",
// as train-teacher writes) with the same model and the same `data` section; several such groups are narrowed
// by the training keys (epochs, batch size, optimizer, schedule, label smoothing). `--fairness-baseline` overrides.

import KDJSON

/// The S_ce rule.
public enum FairnessBaseline {
    /// Keys of the `data` section that do not make data different: seeds of its steps and the directory.
    static func dataKeyIgnored(_ path: String) -> Bool { path.hasSuffix(".seed") || path == "data.dir" }

    /// Training keys that must match when several groups fit.
    static let trainingKeys = ["epochs", "batch_size", "optimizer", "schedule", "label_smoothing"]

    /// The baseline of distilled group `k` among `figures` (whose runs are `groups`, same order), and a
    /// note naming it or saying why there is none; `named` is `--fairness-baseline`.
    static func choose(for k: Int, groups: [RunGroup], figures: [GroupFairness], named: String?) -> (index: Int?, note: String?) {
        let label = figures[k].label
        let classes = figures[k].student.classCount
        if let named {
            guard let j = figures.firstIndex(where: { $0.label == named }), figures[j].student.classCount == classes else {
                return (nil, "\(label): the baseline \(named) has another number of classes; no distillation effect")
            }
            return j == k ? (nil, nil) : (j, "\(label): S_ce is \(named) (--fairness-baseline)")
        }
        var candidates = figures.indices.filter { j in
            j != k && figures[j].teacher == nil && figures[j].student.classCount == classes
                && groups[j].runs.allSatisfy { ($0.summary["method"]?.stringValue ?? "labels") == "labels" }
                && models(groups[j]) == models(groups[k])
                && signatures(groups[j], data: true) == signatures(groups[k], data: true)
        }
        if candidates.count > 1 {
            let training = signatures(groups[k], data: false)
            let narrowed = candidates.filter { signatures(groups[$0], data: false) == training }
            if !narrowed.isEmpty { candidates = narrowed }
        }
        let model = models(groups[k]).map(RunGrouping.display).sorted().joined(separator: ", ")
        switch candidates.count {
        case 0:
            return (
                nil,
                "\(label): no one-hot student (train-teacher runs of \(model) on the same data) among the runs; "
                    + "no distillation effect (name one with --fairness-baseline)"
            )
        case 1:
            return (candidates[0], "\(label): S_ce is \(figures[candidates[0]].label) (labels only, \(model), same data)")
        default:
            return (
                nil,
                "\(label): several one-hot students fit (" + candidates.map { figures[$0].label }.joined(separator: "; ")
                    + "); choose one with --fairness-baseline"
            )
        }
    }

    /// The trained networks' names of a group's runs.
    static func models(_ g: RunGroup) -> Set<String> { Set(g.runs.compactMap { $0.reportValue("model") }) }

    /// The distinct `data` sections (`data: true`) or training keys (`data: false`) of a group's runs, each
    /// as sorted `path=value` lines.
    static func signatures(_ g: RunGroup, data: Bool) -> Set<String> {
        Set(
            g.runs.map { r in
                RunGrouping.flatten(r.config).filter { entry in
                    data
                        ? entry.path.hasPrefix("data.") && !dataKeyIgnored(entry.path)
                        : trainingKeys.contains { entry.path == $0 || entry.path.hasPrefix($0 + ".") }
                }.map { "\($0.path)=\($0.value)" }.sorted().joined(separator: "\n")
            })
    }
}
