// QuantizeCommand: `kdistill quantize CHECKPOINT [--calibration N] [--method minmax|percentile]
// [--percentile P] [--out FILE] [--limit N] [--batch-size N] [--json]`.

import Foundation
import KDTrain

enum QuantizeCommand: Subcommand {
    static let spec = Command(
        name: "quantize", abstract: "post-training int8 quantization of a checkpoint, compared with the float model",
        usage:
            "kdistill quantize CHECKPOINT [--calibration N] [--method minmax|percentile] [--percentile P] [--out FILE] [--json]",
        options: [
            .value(
                "calibration", "N",
                help: "calibrate activation ranges on N training images (default: the checkpoint's kdistill.quant_ranges)"),
            .value("method", "METHOD", default: "minmax", help: "calibration: minmax, or percentile (of the values seen)"),
            .value("percentile", "P", help: "with --method percentile: the percentile kept, in (50, 100] (default 99.99)"),
            .value("out", "FILE", help: "output file (default: the checkpoint's path with .int8.safetensors)"),
            .value("limit", "N", help: "compare on a class-balanced subset of N test images (default: all)"),
            .value("batch-size", "N", default: "256", help: "batch size of calibration and of both models in the comparison"),
            .value("data", "DATASET", help: "dataset (default: the checkpoint's)"),
            .value("data-dir", "DIR", help: "dataset directory (default: data/<dataset>)"),
            CommonOptions.json,
        ],
        positionals: [Positional(name: "CHECKPOINT", help: "a float .safetensors checkpoint written by kdistill")])

    static func run(_ args: ParsedArguments) throws {
        var choice = Quantize.Choice()
        choice.calibration = try args.int("calibration", min: 1)
        if let problem = choice.setMethod(args.string("method") ?? "minmax", percentile: try args.double("percentile")) {
            throw UsageError(message: problem, command: "quantize")
        }
        if choice.calibration == nil, args.string("method") == "percentile" || args.string("percentile") != nil {
            throw UsageError(message: "--method/--percentile: only with --calibration N", command: "quantize")
        }
        choice.out = args.string("out")
        choice.limit = try args.int("limit", min: 1)
        choice.batchSize = try args.int("batch-size", min: 1) ?? 256
        (choice.dataset, choice.directory) = (args.string("data"), args.string("data-dir"))
        let summary = try Quantize.run(checkpoint: args.positional("CHECKPOINT") ?? "", choice)
        if args.flag("json") { print(summary.formatted()); return }
        print(text(summary))
    }

    /// One line per thing done, then the float/int8 table.
    static func text(_ s: JSONValue) -> String {
        let str = { (k: String) in s[k]?.stringValue ?? "" }
        let ranges =
            str("ranges_from") == "checkpoint"
            ? "activation ranges: the checkpoint's kdistill.quant_ranges (quantization-aware training), not calibrated"
            : "activation ranges: calibrated on \(s["calibration_images"]?.intValue ?? 0) training images, \(str("calibration"))"
        var lines = [
            "\(str("source")): \(str("model")) (\(str("dataset"))), \(s["layers"]?.intValue ?? 0) conv/linear layers quantized",
            ranges,
            "scheme: \(str("scheme"))",
            "wrote \(str("path"))",
            "compared on \(s["test_images"]?.intValue ?? 0) test images, batch \(s["batch_size"]?.intValue ?? 0): "
                + String(format: "agreement %.2f%%", (s["agreement"]?.doubleValue ?? 0) * 100),
            "        top-1     file        images/s",
        ]
        // A quantization-aware checkpoint's own row ("QAT sim") is its float network fake-quantized.
        let simulated = s["float_model"]?.stringValue == "int8-simulated"
        for key in ["float", "int8"] {
            let r = s[key], label = key == "float" && simulated ? "QAT sim" : key
            lines.append(
                label.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + String(
                        format: "%6.2f%%  %8.1f kB  %10.0f", (r?["top1"]?.doubleValue ?? 0) * 100,
                        Double(r?["bytes"]?.intValue ?? 0) / 1e3, r?["images_per_s"]?.doubleValue ?? 0))
        }
        return lines.joined(separator: "\n")
    }
}
