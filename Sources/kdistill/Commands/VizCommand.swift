// VizCommand: `kdistill viz attention CHECKPOINT [--teacher CKPT] --index I`: attention maps of each
// tapped stage for one image, student and teacher side by side over the image, as PNG or SVG.

import KDTrain

enum VizCommand: Subcommand {
    static let kinds = ["attention"]

    static let spec = Command(
        name: "viz", abstract: "pictures of a checkpoint: attention maps of each stage over an input image (PNG or SVG)",
        usage: "kdistill viz attention CHECKPOINT [--teacher CKPT] [--data DATASET] [--data-dir DIR] [--split test|train] "
            + "[--index I] [--out FILE.png|FILE.svg]",
        discussion: "The attention map of a stage is the sum over channels of its squared activations (Zagoruyko & "
            + "Komodakis 2017), scaled to a maximum of 1, upsampled bilinearly to the image and blended over it. Rows: "
            + "student, teacher; columns: the image, then each stage (resnet layer1-3, wrn block1-3, lenet5 conv1-2).",
        options: [
            .value("teacher", "CKPT", help: "also draw this teacher's maps (second row)"),
            .value("data", "DATASET", help: "dataset (default: the checkpoint's)"),
            .value("data-dir", "DIR", help: "dataset directory (default: data/<dataset>)"),
            .value("split", "SPLIT", default: "test", help: "test or train"),
            .value("index", "I", short: "i", default: "0", help: "image index in the split"),
            .value("out", "FILE", short: "o", help: "output .png or .svg (default: attention-<index>.png)"),
            .value("taps", "A,B", help: "student taps to draw (default: every stage)"),
            .value("teacher-taps", "A,B", help: "teacher taps to draw (default: every stage)"),
            .value("scale", "N", help: "pixels per input pixel (default: cells of at least 96 pixels)"),
        ],
        positionals: [
            Positional(name: "KIND", help: "what to draw: attention"),
            Positional(name: "CHECKPOINT", help: "a .safetensors checkpoint written by kdistill"),
        ])

    static func run(_ args: ParsedArguments) throws {
        let kind = args.positional("KIND") ?? ""
        guard kinds.contains(kind) else {
            throw UsageError(
                message: "unknown picture '\(kind)'; expected one of " + kinds.joined(separator: ", "), command: spec.name)
        }
        if let n = try args.int("threads", min: 1) { ConfigLoading.applyThreadCount(n) }
        let index = try args.int("index", min: 0) ?? 0
        let list = { (name: String) in args.string(name).map { $0.split(separator: ",").map(String.init) } }
        let request = AttentionViz.Request(
            checkpoint: args.positional("CHECKPOINT") ?? "", teacher: args.string("teacher"), dataset: args.string("data"),
            dataDirectory: args.string("data-dir"), split: args.string("split") ?? "test", index: index,
            output: args.string("out") ?? "attention-\(index).png", taps: list("taps"), teacherTaps: list("teacher-taps"),
            scale: try args.int("scale", min: 1))
        print(try AttentionViz.run(request))
    }
}
