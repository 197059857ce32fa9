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
            checkpoint: args.positional("CHECKPOINT") ?? "", teacher: args.string("teacher"), data: choice)
        if args.flag("json") { print(report.formatted()); return }
        print(text(report))
        if args.flag("per-class") { print(perClassText(report)) }
    }

    static func text(_ r: JSONValue) -> String {
        let pct = { (v: JSONValue?) in String(format: "%.2f%%", (v?.doubleValue ?? 0) * 100) }
        var lines = [
            "\(r["checkpoint"]?.stringValue ?? "") (\(r["model"]?.stringValue ?? "")) on \(r["dataset"]?.stringValue ?? "") "
                + "\(r["split"]?.stringValue ?? ""), \(r["images"]?.intValue ?? 0) images",
            "top-1 \(pct(r["top1"]))   top-5 \(pct(r["top5"]))   NLL \(String(format: "%.4f", r["nll"]?.doubleValue ?? 0))"
                + "   ECE \(String(format: "%.4f", r["ece"]?.doubleValue ?? 0))",
            "\((r["parameters"]?.intValue ?? 0).formatted()) parameters, "
                + String(
                    format: "%.2f MFLOPs/image, %.0f images/s", Double(r["flops_per_image"]?.intValue ?? 0) / 1e6,
                    r["images_per_s"]?.doubleValue ?? 0),
        ]
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
        return lines.joined(separator: "\n")
    }
}
