// Subcommand: what each `kdistill` command file provides (its argument spec and its action), and the
// output helpers they share (summary lines on standard output, JSON with --json).

import Foundation
import KDTrain

/// A `kdistill` subcommand: one file each, each calling one function of KDTrain.
protocol Subcommand {
    static var spec: Command { get }
    static func run(_ args: ParsedArguments) throws
}

/// Options shared by the training commands.
enum CommonOptions {
    static let set = Option.repeated("set", "KEY.PATH=VALUE", help: "override a config key, e.g. --set optimizer.lr=0.1")
    static let resume = Option.flag("resume", help: "continue an interrupted run from its latest state")
    static let json = Option.flag("json", help: "print the JSON result instead of a summary line")
}

enum Output {
    /// Prints `summary` as JSON (`--json`) or as one human-readable line.
    static func printRun(_ summary: JSONValue, json: Bool) {
        if json { print(summary.formatted()); return }
        print(runLine(summary))
    }

    /// `resnet20 (labels) on fashion-mnist: test 92.71% (best checkpoint 92.80%, epoch 9, chosen on test), 272,474 params, 82.1 MFLOPs, 1:32`.
    static func runLine(_ s: JSONValue) -> String {
        if let runs = s["runs"]?.arrayValue ?? s["members"]?.arrayValue {
            var parts = runs.map(runLine)
            if let e = s["ensemble_test_acc"]?.doubleValue { parts.append(String(format: "ensemble: test %.2f%%", e * 100)) }
            return parts.joined(separator: "\n")
        }
        let pct = { (key: String) in String(format: "%.2f%%", (s[key]?.doubleValue ?? 0) * 100) }
        let model = s["model"]?.stringValue ?? "?", method = s["method"]?.stringValue ?? "?"
        // A teacher run is named after its model: say it once (`resnet20 (labels)`, `student lenet5 (kd)`).
        let run = s["run"]?.stringValue.flatMap { $0 == model ? nil : $0 + " " } ?? ""
        var line = "\(run)\(model) (\(method)) on \(s["dataset"]?.stringValue ?? "?"): test \(pct("test_acc"))"
        if let best = s["best_epoch"]?.intValue {
            let split = s["best_selected_on"]?.stringValue.map { ", chosen on \($0)" } ?? ""
            line += " (best checkpoint \(pct("best_test_acc")), epoch \(best)\(split))"
        }
        if let t = s["teacher_test_acc"]?.doubleValue { line += String(format: ", teacher %.2f%%", t * 100) }
        if let p = s["parameters"]?.intValue { line += ", \(p.formatted()) params" }
        if let f = s["flops_per_image"]?.intValue { line += String(format: ", %.1f MFLOPs", Double(f) / 1e6) }
        if let w = s["wall_time_s"]?.doubleValue { line += ", " + clock(w) }
        return line
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

extension Int {
    /// 272474 → "272,474".
    func formatted() -> String {
        let digits = Array(String(Swift.abs(self)))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return (self < 0 ? "-" : "") + out
    }
}
