// ResultsTable: the report's tables as cells (one model rendered as Markdown here and as HTML by
// the page): one row per group (mean ± std over seeds of last- and best-epoch accuracy, seeds,
// parameters, wall time) and one row per run; plus the group table as CSV with raw numbers.

import Foundation
import KDJSON

/// A table of text cells.
public struct TextTable: Equatable {
    /// Column titles.
    public var header: [String]
    /// Whether each column holds numbers (right-aligned).
    public var numeric: [Bool]
    /// Rows of cells, each as long as `header`.
    public var rows: [[String]]

    /// A table with columns `header`.
    public init(header: [String], numeric: [Bool], rows: [[String]] = []) {
        (self.header, self.numeric, self.rows) = (header, numeric, rows)
    }

    /// GitHub-flavoured Markdown, numeric columns right-aligned.
    public func markdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        var out = [line(header), "|" + numeric.map { $0 ? "---:|" : "---|" }.joined()]
        out += rows.map(line)
        return out.joined(separator: "\n") + "\n"
    }
}

/// The tables of a report.
public enum ResultsTable {
    /// Columns naming a group: the varying keys and the member, or `run` when nothing varies.
    static func keyColumns(_ g: GroupedRuns) -> [String] {
        let keys = g.varyingKeys + (g.hasMembers ? ["member"] : [])
        return keys.isEmpty ? ["run"] : keys
    }

    /// The group's cells under `keyColumns`; `absent` for a key the group's config lacks.
    static func keyCells(_ group: RunGroup, _ g: GroupedRuns, absent: String = "—") -> [String] {
        let keys =
            g.varyingKeys.map { group.key[$0].map(RunGrouping.display) ?? absent }
            + (g.hasMembers ? [group.member ?? absent] : [])
        return keys.isEmpty ? [group.label] : keys
    }

    /// One row per group: mean ± sample std over seeds (percent), seeds, parameters, wall time (with the
    /// thread count when runs used different ones, and diverged runs when there are any).
    public static func groups(_ g: GroupedRuns) -> TextTable {
        let anyDiverged = g.groups.contains { !$0.diverged.isEmpty }
        let mixedThreads = Set(g.groups.flatMap(\.threadCounts)).count > 1
        let keys = keyColumns(g)
        var table = TextTable(
            header: keys + ["seeds", "last-epoch acc (%)", BestSelection.column(g.bestSelection), "params", "wall time"]
                + (mixedThreads ? ["threads"] : []) + (anyDiverged ? ["diverged"] : []),
            numeric: keys.map { _ in false } + [true, true, true, true, true] + (mixedThreads ? [true] : [])
                + (anyDiverged ? [true] : []))
        for group in g.groups {
            let counts = group.parameterCounts
            let params =
                counts.isEmpty
                ? "—"
                : counts.count == 1
                    ? ReportFormat.grouped(counts[0])
                    : ReportFormat.grouped(counts[0]) + "–" + ReportFormat.grouped(counts[counts.count - 1])
            var row =
                keyCells(group, g) + [
                    String(group.runs.count), group.last?.text() ?? "—", group.best?.text() ?? "—", params,
                    group.wallTime.map { ReportFormat.clock($0.mean) } ?? "—",
                ]
            if mixedThreads {
                row.append(group.threadCounts.isEmpty ? "—" : group.threadCounts.map(String.init).joined(separator: ", "))
            }
            if anyDiverged { row.append(String(group.diverged.count)) }
            table.rows.append(row)
        }
        return table
    }

    /// One row per run: group, directory, seed, status, accuracies (percent), best epoch, wall time, and
    /// the split that selected the best epoch when any run's is known.
    public static func runs(_ g: GroupedRuns) -> TextTable {
        let all = g.groups.flatMap { $0.runs + $0.diverged }
        let showSelection = all.contains { $0.bestSelectedOn != nil }
        var table = TextTable(
            header: [
                "group", "run", "seed", "status", "last-epoch acc (%)", BestSelection.column(g.bestSelection),
                "best epoch", "wall time",
            ] + (showSelection ? ["best selected on"] : []),
            numeric: [false, false, true, false, true, true, true, true] + (showSelection ? [false] : []))
        for group in g.groups {
            for r in group.runs + group.diverged {
                let pct = { (x: Double?) in x.map { ReportFormat.fixed($0 * 100, 2) } ?? "—" }
                var status = r.status.rawValue
                if r.status == .diverged, let e = r.summary["epoch"]?.intValue { status += " (epoch \(e))" }
                table.rows.append(
                    [
                        group.label, r.path, r.seed.map(String.init) ?? "—", status, pct(r.lastAccuracy), pct(r.bestAccuracy),
                        r.summary["best_epoch"]?.intValue.map(String.init) ?? "—", r.wallTime.map(ReportFormat.clock) ?? "—",
                    ] + (showSelection ? [r.bestSelectedOn?.rawValue ?? "—"] : []))
            }
        }
        return table
    }

    /// The group table as CSV with raw numbers: accuracies as fractions (as in summary.json), wall time in
    /// seconds, and the split that selected the best epochs (`test`, `validation`, empty when unknown).
    public static func csv(_ g: GroupedRuns) -> String {
        let keys = keyColumns(g)
        var lines = [
            (["group"] + keys + [
                "seeds", "test_acc_mean", "test_acc_std", "best_test_acc_mean", "best_test_acc_std",
                "parameters", "wall_time_s", "diverged", "best_selected_on",
            ]).map(csvField).joined(separator: ",")
        ]
        for group in g.groups {
            let cells =
                [group.label] + keyCells(group, g, absent: "") + [
                    String(group.runs.count), number(group.last?.mean), number(group.last?.std), number(group.best?.mean),
                    number(group.best?.std), group.parameterCounts.first.map(String.init) ?? "",
                    number(group.wallTime?.mean, digits: 1),
                    String(group.diverged.count), BestSelection.of(group.runs + group.diverged)?.rawValue ?? "",
                ]
            lines.append(cells.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `x` rounded to `digits` decimals in shortest form; empty when nil.
    static func number(_ x: Double?, digits: Int = 6) -> String {
        guard let x, x.isFinite else { return "" }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        return JSONValue.numberText((x * p).rounded() / p)
    }

    /// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
