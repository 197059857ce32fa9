// CalibrateBiasCommand: `kdistill calibrate-bias RUN --classes C[,C...] [--mode val-grid|prior]
// [--checkpoint best|latest|FILE]` (Hinton et al. 2015 §3's bias correction, chosen on validation).

import Foundation
import KDTrain

enum CalibrateBiasCommand: Subcommand {
    static let spec = Command(
        name: "calibrate-bias",
        abstract: "add one δ to the final-layer bias of some classes, chosen on the run's validation split",
        discussion: """
            Rebuilds the run's validation split from its config.json (a run without data.validation is refused:
            δ is never chosen on the test set). val-grid: δ in −10 … +10, step 0.05, with the highest validation
            accuracy (ties: smallest |δ|). prior: label-free; δ makes the mean softmax mass of the classes on
            validation images equal their share of the training labels. Writes RUN/bias-corrected.safetensors
            (metadata `calibration`) and RUN/calibration.json; evaluate the file with `kdistill eval`.
            """,
        options: [
            .value("classes", "C[,C...]", help: "classes whose bias gets δ (0-based, comma-separated); required"),
            .value("mode", "MODE", default: "val-grid", help: "val-grid or prior"),
            .value("checkpoint", "CKPT", default: "best", help: "best, latest or a checkpoint file"),
            CommonOptions.json,
        ],
        positionals: [Positional(name: "RUN", help: "a run directory with data.validation > 0")])

    static func run(_ args: ParsedArguments) throws {
        let modeText = args.string("mode") ?? "val-grid"
        guard let mode = CalibrateBias.Mode(rawValue: modeText) else {
            throw UsageError(message: "--mode: expected val-grid or prior, found '\(modeText)'", command: spec.name)
        }
        let request = CalibrateBias.Request(
            run: args.positional("RUN") ?? "", classes: try classes(args), mode: mode,
            checkpoint: args.string("checkpoint") ?? "best", threads: try args.int("threads", min: 1))
        let record = try CalibrateBias.run(request)
        if args.flag("json") { print(record.formatted()); return }
        print(line(record))
    }

    /// `--classes 3` or `--classes 7,8`.
    static func classes(_ args: ParsedArguments) throws(UsageError) -> [Int] {
        guard let text = args.string("classes") else {
            throw UsageError(message: "--classes: required (e.g. --classes 3 or --classes 7,8)", command: spec.name)
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, values.count == parts.count else {
            throw UsageError(message: "--classes: expected comma-separated class numbers, found '\(text)'", command: spec.name)
        }
        return values
    }

    /// `runs/x: classes 3, δ +3.50 (val-grid), validation 88.20% → 91.40%, wrote runs/x/bias-corrected.safetensors`.
    static func line(_ r: JSONValue) -> String {
        let pct = { (key: String) in String(format: "%.2f%%", (r[key]?.doubleValue ?? 0) * 100) }
        let classes = (r["classes"]?.arrayValue ?? []).compactMap(\.intValue).map(String.init).joined(separator: ",")
        return "classes \(classes): δ " + String(format: "%+.4g", r["delta"]?.doubleValue ?? 0)
            + " (\(r["mode"]?.stringValue ?? "")), validation accuracy \(pct("val_acc_before")) → \(pct("val_acc_after")), "
            + "wrote \(r["output"]?.stringValue ?? "")"
    }
}
