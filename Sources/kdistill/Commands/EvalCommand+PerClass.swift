// EvalCommand+PerClass: `kdistill eval --per-class`: a table of every class (name, test images n,
// accuracy ± binomial standard error, and with --teacher the teacher's accuracy and the gap), then the
// mean per-class, worst-class and worst-k figures, read from the report's `fairness` objects.

import Foundation
import KDJSON
import KDReport

extension EvalCommand {
    /// The per-class table of an eval report (empty when it has no `fairness` object).
    static func perClassText(_ r: JSONValue) -> String {
        guard let s = ClassFairness(json: r["fairness"]) else { return "" }
        let names = s.classNames ?? r["class_names"]?.arrayValue?.compactMap(\.stringValue)
        let teacher = ClassFairness(json: r["teacher"]?["fairness"])
        let pct = { (x: Double?) in x.map { ReportFormat.fixed($0 * 100, 2) } ?? "—" }
        let name = { (c: Int) in names.map { c < $0.count ? $0[c] : String(c) } ?? String(c) }
        var table = TextTable(
            header: ["class", "n", "accuracy (%)"] + (teacher == nil ? [] : ["teacher (%)", "gap (pp)"]),
            numeric: [false, true, true] + (teacher == nil ? [] : [true, true]))
        let gap = teacher.flatMap { s.gap(to: $0) }
        for c in 0..<s.classCount {
            var row = [name(c), String(s.support[c]), pct(s.accuracy[c]) + " ± " + pct(s.standardError[c])]
            if let teacher {
                row += [pct(c < teacher.classCount ? teacher.accuracy[c] : nil), pct(gap.flatMap { $0.perClass[c] })]
            }
            table.rows.append(row)
        }
        var lines = ["", table.plain()]
        let worst = s.worstClass.map { "\(pct($0.accuracy))% (\(name($0.index)))" } ?? "—"
        lines.append(
            "mean per-class \(pct(s.meanPerClass))%, worst class \(worst)"
                + s.worstKMeans.filter { $0.k > 1 }.map { ", worst-\($0.k) mean \(pct($0.mean))%" }.joined())
        if let gap, let m = gap.minimum {
            lines.append(
                "gap to the teacher: min \(pct(m.value)) pp (\(name(m.index))), mean |gap| \(pct(gap.meanAbsolute)) pp; "
                    + "teacher worst class \(teacher?.worstClass.map { "\(pct($0.accuracy))% (\(name($0.index)))" } ?? "—")")
        }
        return lines.joined(separator: "\n")
    }
}

extension TextTable {
    /// Columns padded to their widest cell, numeric ones right-aligned (for a terminal).
    func plain() -> String {
        let widths = header.indices.map { k in ([header[k]] + rows.map { k < $0.count ? $0[k] : "" }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { k, cell in
                let pad = String(repeating: " ", count: max(0, widths[k] - cell.count))
                return k < numeric.count && numeric[k] ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
