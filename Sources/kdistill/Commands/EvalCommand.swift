// EvalCommand: `kdistill eval CHECKPOINT [--teacher CKPT] [--json]`.

import Foundation
import KDTrain

enum EvalCommand: Subcommand {
    static let spec = Command(
        name: "eval", abstract: "evaluate a checkpoint: accuracy, per-class accuracy, confusion, NLL, calibration, size, speed",
        usage: "kdistill eval CHECKPOINT [--teacher CKPT] [--data DATASET] [--data-dir DIR] [--split test|train] [--json]",
        options: [
            .value("teacher", "CKPT", help: "also compare with this teacher: agreement, KL, compression, speed-up"),
            .value("data", "DATASET", help: "dataset (default: the checkpoint's)"),
            .value("data-dir", "DIR", help: "dataset directory (default: data/<dataset>)"),
            .value("split", "SPLIT", default: "test", help: "test or train"),
            .value("limit", "N", help: "evaluate on a class-balanced subset of N images"),
            .value("batch-size", "N", default: "1000", help: "evaluation batch size"),
            .value("model", "NAME", help: "architecture of a checkpoint without kdistill metadata (a PyTorch export)"),
            .value("predictions", "FILE", help: "also write index,label,predicted,logits per image as CSV"),
            .flag("per-class", help: "print a table per class: images, accuracy ± standard error, teacher and gap"),
            .flag("robustness", help: "add robust accuracy under FGSM and PGD at the dataset's customary budgets"),
            .value("attack", "LIST", help: "attacks to run: fgsm, pgd or both (default with --robustness: both)"),
            .value("eps", "LIST", help: "L∞ budgets in [0, 1] pixel units (default: the dataset's, Fashion-MNIST 0.05,0.1,0.2)"),
            .value("steps", "N", help: "PGD steps (default: 20; MNIST 40)"),
            .value(
                "step-size", "X",
                help: "PGD step size in pixel units (default: 2.5·eps/steps on Fashion-MNIST, the dataset's α·k/ε elsewhere)"),
            .value("restarts", "N", help: "PGD random restarts; robust only if every one fails (default 1)"),
            .flag("no-random-start", help: "start PGD at the clean image"),
            .value("seed", "N", default: "0", help: "seed of the attacks' random starts"),
            .value("transfer-from", "CKPT", help: "craft the attacks on this network instead (a transfer attack)"),
            .value("corruptions", "LIST", help: "common corruptions: all, or names (gaussian_noise, ..., pixelate)"),
            .value("severities", "LIST", help: "corruption severities, e.g. 1-5 or 1,3 (default 1-5)"),
            .value("table", "NAME", help: "corruption table: mnist-c or cifar10-c (default: by input shape)"),
            .value("baseline", "RUN", help: "CE/mCE relative to this run (its robustness.json), JSON file or checkpoint"),
            CommonOptions.json,
        ],
        positionals: [Positional(name: "CHECKPOINT", help: "a .safetensors checkpoint written by kdistill")])

    static func run(_ args: ParsedArguments) throws {
        if let n = try args.int("threads", min: 1) { ConfigLoading.applyThreadCount(n) }
        let choice = Evaluate.DataChoice(
            dataset: args.string("data"), directory: args.string("data-dir"),
            split: args.string("split") ?? "test", limit: try args.int("limit", min: 1),
            batchSize: try args.int("batch-size", min: 1) ?? 1000, model: args.string("model"),
            predictionsPath: args.string("predictions"))
        let report = try Evaluate.run(
            checkpoint: args.positional("CHECKPOINT") ?? "", teacher: args.string("teacher"), data: choice,
            robustness: try robustness(args))
        if args.flag("json") { print(report.formatted()); return }
        print(text(report))
        if args.flag("per-class") { print(perClassText(report)) }
    }

    /// The robustness request of the flags, or nil when none asks for one. `--robustness` alone runs every
    /// attack of the dataset's suite and every corruption at every severity.
    static func robustness(_ args: ParsedArguments) throws -> Evaluate.RobustnessChoice? {
        let attackFlags = ["attack", "eps", "steps", "step-size", "restarts", "transfer-from"].filter { args.string($0) != nil }
        let corruptionFlags = ["corruptions", "severities", "table", "baseline"].filter { args.string($0) != nil }
        let suite = args.flag("robustness")
        guard suite || !attackFlags.isEmpty || !corruptionFlags.isEmpty else { return nil }
        var choice = Evaluate.RobustnessChoice(
            attacks: nil, seed: UInt64(try args.int("seed", min: 0) ?? 0), transferFrom: args.string("transfer-from"),
            baseline: args.string("baseline"))
        if suite || !attackFlags.isEmpty {
            var attacks = RobustnessRequest.AttackChoice(randomStart: !args.flag("no-random-start"))
            attacks.kinds = try args.string("attack").map { try RobustnessRequest.kinds($0, key: "--attack") }
            attacks.eps = try args.string("eps").map { try positiveNumbers($0, flag: "--eps") }
            attacks.steps = try args.int("steps", min: 1)
            attacks.stepSize = try args.double("step-size")
            attacks.restarts = try args.int("restarts", min: 1)
            if let a = attacks.stepSize, !(a > 0) {
                throw UsageError(message: "--step-size: expected a number > 0, found \(a)", command: "eval")
            }
            choice.attacks = attacks
        }
        if suite || !corruptionFlags.isEmpty {
            choice.corruptions = try RobustnessRequest.CorruptionChoice(
                parsing: args.string("corruptions"), severities: args.string("severities"), table: args.string("table"))
        }
        return choice
    }

    /// A comma list of numbers > 0, or a usage error naming `flag`.
    static func positiveNumbers(_ text: String, flag: String) throws -> [Double] {
        try text.split(separator: ",").map { word in
            guard let x = Double(word.trimmingCharacters(in: .whitespaces)), x > 0, x.isFinite else {
                throw UsageError(message: "\(flag): expected numbers > 0 separated by commas, found '\(word)'", command: "eval")
            }
            return x
        }
    }

    static func text(_ r: JSONValue) -> String {
        let pct = { (v: JSONValue?) in String(format: "%.2f%%", (v?.doubleValue ?? 0) * 100) }
        var lines = [
            "\(r["checkpoint"]?.stringValue ?? "") (\(r["model"]?.stringValue ?? "")) on \(r["dataset"]?.stringValue ?? "") "
                + "\(r["split"]?.stringValue ?? ""), \(r["images"]?.intValue ?? 0) images"
                + (r["view"]?.stringValue.map { " as it was trained to read them: \($0)" } ?? "")
                + (r["quantization"]?.stringValue.map { "\naccuracy of the \($0)" } ?? ""),
            "top-1 \(pct(r["top1"]))   top-5 \(pct(r["top5"]))   NLL \(String(format: "%.4f", r["nll"]?.doubleValue ?? 0))"
                + "   ECE \(String(format: "%.4f", r["ece"]?.doubleValue ?? 0))",
            "\((r["parameters"]?.intValue ?? 0).formatted()) parameters, "
                + String(
                    format: "%.2f MFLOPs/image, %.0f images/s", Double(r["flops_per_image"]?.intValue ?? 0) / 1e6,
                    r["images_per_s"]?.doubleValue ?? 0),
        ]
        if r["quantized"] != nil {
            lines[2] =
                "int8 (int8 kernels): \((r["parameters"]?.intValue ?? 0).formatted()) stored weights and biases, "
                + String(
                    format: "%.1f kB file, %.0f images/s", Double(r["file_bytes"]?.intValue ?? 0) / 1e3,
                    r["images_per_s"]?.doubleValue ?? 0)
        }
        let names = r["class_names"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let perClass = r["per_class_accuracy"]?.arrayValue ?? []
        if perClass.count <= 20 {
            lines.append(
                "per class: "
                    + perClass.enumerated().map { i, v in "\(i < names.count ? names[i] : String(i)) \(pct(v))" }
                    .joined(separator: ", "))
            lines.append("confusion (rows: true class, columns: predicted):")
            for row in r["confusion"]?.arrayValue ?? [] {
                lines.append((row.arrayValue ?? []).map { String(format: "%6d", $0.intValue ?? 0) }.joined())
            }
        }
        if let t = r["teacher"] {
            lines.append(
                "teacher \(t["model"]?.stringValue ?? ""): top-1 \(pct(t["top1"])), \((t["parameters"]?.intValue ?? 0).formatted()) parameters"
            )
            lines.append(
                "agreement \(pct(r["agreement"])), KL(teacher‖student) \(String(format: "%.4f", r["kl_teacher_student"]?.doubleValue ?? 0)), "
                    + String(
                        format: "compression %.1fx, speed-up %.1fx", r["compression"]?.doubleValue ?? 0,
                        r["speedup"]?.doubleValue ?? 0))
        }
        if let block = r["robustness"] { lines += robustnessLines(block) }
        return lines.joined(separator: "\n")
    }

    /// The robustness block as tables: one line per attack and per corruption (its mean over severities), the
    /// teacher beside the student when present.
    static func robustnessLines(_ b: JSONValue) -> [String] {
        let pct = { (v: JSONValue?) in v.flatMap(\.doubleValue).map { String(format: "%6.2f%%", $0 * 100) } ?? "" }
        let teacher = b["teacher_clean"] != nil
        let attacks = b["attacks"]?.arrayValue ?? []
        var lines = [
            "robustness (L∞, [0, 1] pixels" + (b["transfer_from"]?.stringValue.map { ", crafted on \($0)" } ?? "") + "):",
            "  attack       eps    student" + (teacher ? "    teacher     gap" : ""),
            "  clean              \(pct(b["clean"]))" + (teacher ? "   \(pct(b["teacher_clean"]))" : ""),
        ]
        if attacks.isEmpty { lines = [] }
        for a in attacks {
            let name = (a["name"]?.stringValue ?? "").padding(toLength: 8, withPad: " ", startingAt: 0)
            var line = "  \(name) " + String(format: "%7.4f", a["eps"]?.doubleValue ?? 0) + "   \(pct(a["accuracy"]))"
            if teacher { line += "   \(pct(a["teacher_accuracy"]))  \(pct(a["gap"]))" }
            lines.append(line)
        }
        guard let c = b["corruptions"] else { return lines }
        let t = b["teacher_corruptions"]
        lines.append(
            "corruptions (\(c["table"]?.stringValue ?? ""), severities averaged):   student" + (t != nil ? "    teacher" : ""))
        for (name, entry) in c["corruptions"]?.objectValue ?? JSONObject() {
            lines.append(
                "  " + name.padding(toLength: 40, withPad: " ", startingAt: 0) + "  \(pct(entry["mean"]))"
                    + (t.map { "   \(pct($0["corruptions"]?[name]?["mean"]))" } ?? ""))
        }
        let rca = { (v: JSONValue?) in v?["rca"]?.doubleValue.map { String(format: ", rCA %.3f", $0) } ?? "" }
        lines.append(
            "  mCA \(pct(c["mca"]))\(rca(c))" + (t.map { "   teacher mCA \(pct($0["mca"]))\(rca($0))" } ?? ""))
        if let base = c["baseline"], let mce = base["mce"]?.doubleValue {
            lines.append(
                String(
                    format: "  mCE %.3f, relative mCE %.3f (against the baseline)", mce, base["relative_mce"]?.doubleValue ?? .nan
                ))
        }
        return lines
    }
}
