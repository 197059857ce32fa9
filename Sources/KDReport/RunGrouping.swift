// RunGrouping: runs that differ only in seed (and name, output, description, threads) form a group.
// The resolved config is flattened to dot paths; the paths whose values differ between groups become
// the table's columns and the groups' labels. Cohort members and pipeline runs group apart.

import Foundation
import KDJSON

/// Runs of one configuration (all seeds), with the statistics the report shows.
public struct RunGroup {
    /// `key=value` of the varying keys (and the member), or the experiment name when nothing varies.
    public var label: String
    /// Flattened config of the group (dot path → compact JSON text), without the ignored keys.
    public var key: [String: String]
    /// Cohort member or pipeline run, nil for single runs.
    public var member: String?
    /// Completed runs (averaged).
    public var runs: [RunRecord] = []
    /// Diverged runs (listed, not averaged).
    public var diverged: [RunRecord] = []

    /// Last-epoch test accuracy over the completed runs.
    public var last: MeanStd? { MeanStd(runs.compactMap(\.lastAccuracy)) }
    /// Best-checkpoint test accuracy over the completed runs.
    public var best: MeanStd? { MeanStd(runs.compactMap(\.bestAccuracy)) }
    /// Wall time over the completed runs, seconds.
    public var wallTime: MeanStd? { MeanStd(runs.compactMap(\.wallTime)) }
    /// Distinct thread counts of the completed runs (wall times compare only at equal counts).
    public var threadCounts: [Int] { Array(Set(runs.compactMap(\.threads))).sorted() }
    /// Distinct parameter counts of the completed runs (one for a well-formed group).
    public var parameterCounts: [Int] { Array(Set(runs.compactMap(\.parameters))).sorted() }
    /// The text of dot path `path` in this group's config (`—` when absent).
    public func value(_ path: String) -> String { key[path].map(RunGrouping.display) ?? "—" }
}

/// Groups and the keys that tell them apart.
public struct GroupedRuns {
    /// Groups in order of first appearance.
    public var groups: [RunGroup]
    /// Dot paths whose values differ between groups, in config order.
    public var varyingKeys: [String]
    /// Whether any run is a cohort member or pipeline run (the table then has a `member` column).
    public var hasMembers: Bool
}

/// The grouping rule.
public enum RunGrouping {
    /// Config keys ignored when grouping: they differ between seeds of one setting or do not change results.
    public static let ignoredKeys: Set<String> = ["seed", "name", "output.dir", "output.keep_every", "description", "threads"]

    /// Groups `records` by their config without the ignored keys (plus the member); with `keys`, by
    /// those keys alone (`RunRecord.reportValue`: config dot paths, `model`, `method`), which are then
    /// the table's columns in the order given.
    public static func group(_ records: [RunRecord], by keys: [String]? = nil) -> GroupedRuns {
        var groups: [RunGroup] = []
        var order: [String] = []
        for r in records {
            let flat =
                keys.map { $0.map { key in (path: key, value: r.reportValue(key) ?? "\u{0}") }.filter { $0.value != "\u{0}" } }
                ?? flatten(r.config).filter { !ignoredKeys.contains($0.path) }
            for (path, _) in flat where !order.contains(path) { order.append(path) }
            let key = Dictionary(flat.map { ($0.path, $0.value) }, uniquingKeysWith: { a, _ in a })
            let index: Int
            if let found = groups.firstIndex(where: { $0.key == key && $0.member == r.member }) {
                index = found
            } else {
                groups.append(RunGroup(label: "", key: key, member: r.member))
                index = groups.count - 1
            }
            if r.status == .completed { groups[index].runs.append(r) } else { groups[index].diverged.append(r) }
        }
        let varying = keys ?? varyingKeys(groups, order: order)
        for k in groups.indices {
            var parts = varying.map { "\($0)=\(groups[k].value($0))" }
            if let m = groups[k].member { parts.append(m) }
            let first = groups[k].runs.first ?? groups[k].diverged.first
            groups[k].label = parts.isEmpty ? (first?.config["name"]?.stringValue ?? "run") : parts.joined(separator: ", ")
        }
        return GroupedRuns(groups: groups, varyingKeys: varying, hasMembers: groups.contains { $0.member != nil })
    }

    /// Keys with at least two distinct values among the groups that have them; then, while two groups
    /// still look alike, keys present in only some groups (a method's own parameters), in config order.
    static func varyingKeys(_ groups: [RunGroup], order: [String]) -> [String] {
        var chosen = order.filter { path in Set(groups.compactMap { $0.key[path] }).count > 1 }
        func distinct() -> Bool {
            Set(groups.map { g in chosen.map { g.key[$0] ?? "\u{0}" } + [g.member ?? "\u{0}"] }).count == groups.count
        }
        for path in order where !distinct() && !chosen.contains(path) && Set(groups.map { $0.key[path] ?? "\u{0}" }).count > 1 {
            chosen.append(path)
        }
        return order.filter(chosen.contains)
    }

    /// One line per group whose completed runs repeat a seed: chosen keys (`--by`) that leave out a setting
    /// the runs differ in average two settings as if they were seeds. Names the config keys that differ.
    public static func mixedSettings(_ grouped: GroupedRuns) -> [String] {
        grouped.groups.compactMap { g in
            let seeds = g.runs.compactMap(\.seed)
            guard Set(seeds).count < seeds.count else { return nil }
            let configs = g.runs.map { r in
                Dictionary(flatten(r.config).filter { !ignoredKeys.contains($0.path) }.map { ($0.path, $0.value) }) { a, _ in a }
            }
            let differing = Set(configs.flatMap(\.keys)).filter { path in Set(configs.map { $0[path] ?? "\u{0}" }).count > 1 }
            return "\(g.label): \(seeds.count) runs but \(Set(seeds).count) distinct seed(s); they also differ in "
                + (differing.isEmpty ? "nothing but their names" : differing.sorted().joined(separator: ", "))
                + " (add it to --by)"
        }
    }

    /// The keys of `keys` that no record has (for a clear error on a mistyped `--by`).
    public static func unknownKeys(_ keys: [String], in records: [RunRecord]) -> [String] {
        keys.filter { key in !records.contains { $0.reportValue(key) != nil } }
    }

    /// Every scalar or array of `value` under its dot path (`optimizer.lr` → `0.1`), values as compact JSON.
    public static func flatten(_ value: JSONValue, prefix: String = "") -> [(path: String, value: String)] {
        guard case .object(let o) = value else { return prefix.isEmpty ? [] : [(prefix, value.formatted(.compact))] }
        if o.isEmpty && !prefix.isEmpty { return [(prefix, "{}")] }
        return o.flatMap { flatten($0.value, prefix: prefix.isEmpty ? $0.key : prefix + "." + $0.key) }
    }

    /// A flattened value as a table shows it: strings without quotes.
    static func display(_ text: String) -> String {
        if text.hasPrefix("\""), let v = try? JSONValue(parsing: text), let s = v.stringValue { return s }
        return text
    }
}
