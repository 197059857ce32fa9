// ExportCommand: `kdistill export CHECKPOINT [--format onnx] [--out FILE] [--batch dynamic|N]
// [--normalization folded|nodes] [--keep-batch-norm] [--json]`.

import Foundation
import KDTrain

enum ExportCommand: Subcommand {
    static let spec = Command(
        name: "export", abstract: "write a checkpoint's model as an ONNX graph (opset 17) with its class names and metadata",
        usage:
            "kdistill export CHECKPOINT [--format onnx] [--out FILE] [--batch dynamic|N] [--normalization folded|nodes] [--json]",
        options: [
            .value("format", "FORMAT", default: "onnx", help: "onnx (the one format)"),
            .value("out", "FILE", help: "output file (default: the checkpoint's path with .onnx)"),
            .value("batch", "dynamic|N", default: "dynamic", help: "batch dimension: symbolic 'batch' or a fixed size"),
            .value(
                "normalization", "PLACE", default: "folded",
                help: "input normalisation folded into the first layer, or as Sub/Div nodes on the input"),
            .flag("keep-batch-norm", help: "keep batch norms as BatchNormalization nodes instead of folding them into convs"),
            .value("model", "NAME", help: "architecture of a checkpoint without kdistill metadata (with --data)"),
            .value("data", "DATASET", help: "dataset of a checkpoint without kdistill metadata (shape, classes, names)"),
            .value(
                "data-dir", "DIR", help: "where to fit the normalisation of a checkpoint without one (default: data/<dataset>)"),
            CommonOptions.json,
        ],
        positionals: [Positional(name: "CHECKPOINT", help: "a .safetensors checkpoint")])

    static func run(_ args: ParsedArguments) throws {
        let format = args.string("format") ?? "onnx"
        guard format == "onnx" else { throw UsageError(message: "--format: expected onnx, found '\(format)'", command: "export") }
        var choice = Export.Choice()
        choice.out = args.string("out")
        let batch = args.string("batch") ?? "dynamic"
        if batch != "dynamic" {
            guard let n = Int(batch), n >= 1 else {
                throw UsageError(message: "--batch: expected dynamic or a positive integer, found '\(batch)'", command: "export")
            }
            choice.batch = n
        }
        switch args.string("normalization") ?? "folded" {
        case "folded": choice.normalizationNodes = false
        case "nodes": choice.normalizationNodes = true
        case let other:
            throw UsageError(message: "--normalization: expected folded or nodes, found '\(other)'", command: "export")
        }
        choice.keepBatchNorm = args.flag("keep-batch-norm")
        (choice.model, choice.dataset, choice.directory) = (args.string("model"), args.string("data"), args.string("data-dir"))
        let summary = try Export.run(checkpoint: args.positional("CHECKPOINT") ?? "", choice)
        if args.flag("json") { print(summary.formatted()); return }
        print(line(summary))
    }

    /// `runs/t/best.onnx: resnet20 (fashion-mnist) as ONNX opset 17, 41 nodes, 1.1 MB; normalisation folded, batch
    /// norm folded, batch dynamic; read back and run: logits within 2.4e-07 of the checkpoint's`.
    static func line(_ s: JSONValue) -> String {
        let batch = s["batch"]?.intValue.map(String.init) ?? "dynamic"
        let size = Double(s["bytes"]?.intValue ?? 0) / 1e6
        let int8 = s["quantization"] != nil
        return "\(s["path"]?.stringValue ?? ""): \(s["model"]?.stringValue ?? "")"
            + (s["dataset"]?.stringValue.map { " (\($0))" } ?? "")
            + " as ONNX\(int8 ? " QDQ int8" : "") opset \(s["opset"]?.intValue ?? 0), \(s["nodes"]?.intValue ?? 0) nodes, "
            + String(format: "%.2f MB", size)
            + "; normalisation \(s["normalization_in_graph"]?.stringValue ?? ""), batch norm \(s["batch_norm"]?.stringValue ?? ""), batch \(batch)"
            + String(
                format: "; read back and run: logits within %.1e of the \(int8 ? "int8 kernels'" : "checkpoint's")",
                s["self_check_difference"]?.doubleValue ?? 0)
    }
}
