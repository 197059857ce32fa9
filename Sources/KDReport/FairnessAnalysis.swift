// FairnessAnalysis: `kdistill report --fairness` (beyond.md 3.5): per group, the seed-averaged per-class
// test accuracy of the trained network and of its teacher (summary.json `fairness`, `teacher_fairness`),
// training images per class (`train_class_counts`, when written), and each distilled group's effect
// against its one-hot student S_ce (FairnessBaseline picks S_ce).

import Foundation
import KDJSON

/// The per-class figures of one group.
public struct GroupFairness {
    /// The group's label.
    public var label: String
    /// Runs averaged.
    public var seeds: Int
    /// Mean over seeds of each class's accuracy, with the test support of the first run.
    public var student: ClassFairness
    /// Sample standard deviation over seeds of each class's accuracy (nil with one seed).
    public var studentStd: [Double?]
    /// Mean over seeds of the teacher's per-class accuracy (distilled groups; nil otherwise).
    public var teacher: ClassFairness?
    /// The teacher checkpoints of the runs, as summary.json `teachers` names them.
    public var teacherPaths: [String]
    /// Mean over runs of `train_class_counts` (nil when a run lacks it).
    public var trainCounts: [Double]?
    /// The label of the one-hot baseline group S_ce (distilled groups with one).
    public var baseline: String?
    /// The distillation effect against the baseline.
    public var amplification: BiasAmplification?

    /// Classes ordered by training images, most first (ties in class order); class order without counts.
    public var positions: [Int] {
        guard let n = trainCounts else { return Array(student.accuracy.indices) }
        return n.indices.sorted { n[$0] > n[$1] || (n[$0] == n[$1] && $0 < $1) }
    }

    /// Means of `f`'s accuracies over the head, medium and tail positions (`FairnessRule.headMediumTail`);
    /// nil without training counts.
    public func headMediumTail(_ f: ClassFairness) -> (head: Double?, medium: Double?, tail: Double?)? {
        guard trainCounts != nil, f.classCount == student.classCount else { return nil }
        let order = positions, parts = FairnessRule.headMediumTail(classes: order.count)
        func mean(_ r: Range<Int>) -> Double? {
            let v = r.compactMap { f.accuracy[order[$0]] }
            return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        }
        return (mean(parts.head), mean(parts.medium), mean(parts.tail))
    }
}

/// The fairness part of a report.
public struct FairnessAnalysis {
    /// Groups whose runs wrote per-class figures, in group order.
    public var groups: [GroupFairness]
    /// Labels of groups without per-class figures (runs written before summary.json had them).
    public var withoutFigures: [String]
    /// How S_ce was chosen for each distilled group, and why some have none (one line each).
    public var notes: [String]

    /// Whether any group has training counts per class.
    public var hasCounts: Bool { groups.contains { $0.trainCounts != nil } }

    /// The analysis of `grouped`; `baseline` names the group label used as S_ce for every distilled group
    /// (default: FairnessBaseline's rule). Throws an input error for an unknown `baseline` or no figures.
    public static func make(_ grouped: GroupedRuns, baseline: String? = nil) throws -> FairnessAnalysis {
        var out = FairnessAnalysis(groups: [], withoutFigures: [], notes: [])
        var sources: [RunGroup] = []
        for g in grouped.groups {
            guard let f = figures(g) else {
                if !g.runs.isEmpty { out.withoutFigures.append(g.label) }
                continue
            }
            out.groups.append(f)
            sources.append(g)
        }
        guard !out.groups.isEmpty else {
            throw ReportError(
                .input,
                "--fairness: expected runs whose summary.json has per-class figures (`fairness`), found none "
                    + "(runs written by an older kdistill?)")
        }
        if let baseline, !out.groups.contains(where: { $0.label == baseline }) {
            throw ReportError(
                .input,
                "--fairness-baseline: expected the label of a group with per-class figures ("
                    + out.groups.map { "'\($0.label)'" }.joined(separator: ", ") + "), found '\(baseline)'")
        }
        for k in out.groups.indices where out.groups[k].teacher != nil {
            let choice = FairnessBaseline.choose(for: k, groups: sources, figures: out.groups, named: baseline)
            if let note = choice.note { out.notes.append(note) }
            guard let b = choice.index else { continue }
            out.groups[k].baseline = out.groups[b].label
            out.groups[k].amplification = BiasAmplification(
                distilled: out.groups[k].student, baseline: out.groups[b].student, teacher: out.groups[k].teacher)
        }
        return out
    }

    /// The seed-averaged figures of a group (nil when none of its runs has them).
    static func figures(_ g: RunGroup) -> GroupFairness? {
        let students = g.runs.compactMap { ClassFairness(json: $0.summary["fairness"]) }
        guard let first = students.first else { return nil }
        let same = students.filter { $0.classCount == first.classCount }
        let (mean, std) = average(same.map(\.accuracy), classes: first.classCount)
        let teachers = g.runs.compactMap { ClassFairness(json: $0.summary["teacher_fairness"]) }
            .filter { $0.classCount == first.classCount }
        let counts = g.runs.map { $0.summary["train_class_counts"]?.arrayValue?.compactMap(\.doubleValue) }
        let countsKnown = !counts.isEmpty && counts.allSatisfy { $0?.count == first.classCount }
        return GroupFairness(
            label: g.label, seeds: same.count,
            student: ClassFairness(accuracy: mean, support: first.support, classNames: first.classNames),
            studentStd: std,
            teacher: teachers.first.map {
                ClassFairness(
                    accuracy: average(teachers.map(\.accuracy), classes: first.classCount).mean, support: $0.support,
                    classNames: first.classNames)
            },
            teacherPaths: Array(Set(g.runs.flatMap { $0.summary["teachers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }))
                .sorted(),
            trainCounts: countsKnown
                ? (0..<first.classCount).map { c in counts.reduce(0) { $0 + ($1?[c] ?? 0) } / Double(counts.count) } : nil)
    }

    /// Per-class mean and sample standard deviation over runs (classes a run did not measure are left out).
    static func average(_ runs: [[Double?]], classes: Int) -> (mean: [Double?], std: [Double?]) {
        let stats = (0..<classes).map { c in MeanStd(runs.compactMap { c < $0.count ? $0[c] : nil }) }
        return (stats.map { $0?.mean }, stats.map { $0?.std })
    }
}
