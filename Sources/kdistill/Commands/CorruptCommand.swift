// CorruptCommand: `kdistill corrupt --data DATASET --write DIR [--corruptions all|a,b] [--severities 1-5]
// [--table mnist-c|cifar10-c] [--seed N] [--limit N]`: a split's common corruptions written as IDX files.

import Foundation
import KDTrain

enum CorruptCommand: Subcommand {
    static let spec = Command(
        name: "corrupt", abstract: "write a split's common corruptions (MNIST-C / CIFAR-10-C style) as IDX files",
        usage:
            "kdistill corrupt --data DATASET --write DIR [--data-dir DIR] [--split test] [--corruptions all|NAME,...] "
            + "[--severities 1-5] [--table mnist-c|cifar10-c] [--seed N] [--limit N]",
        discussion: """
            Corruptions, in table order: gaussian_noise, shot_noise, impulse_noise, gaussian_blur, contrast, brightness,
            pixelate; five severities each. Table mnist-c (default for 1x28x28) or cifar10-c (3x32x32). Writes
            DIR/<corruption>/<severity>/images-idx3-ubyte (images-idx4-ubyte [N, C, H, W] for colour) and
            labels-idx1-ubyte, then DIR/manifest.json. The same seed gives the same bytes; they are what
            `kdistill eval --corruptions` evaluates.
            """,
        options: [
            .value("data", "DATASET", help: "mnist, fashion-mnist, cifar10 or cifar100 (required)"),
            .value("data-dir", "DIR", help: "dataset directory (default: data/<dataset>)"),
            .value("split", "SPLIT", default: "test", help: "test or train"),
            .value("write", "DIR", help: "output directory (required)"),
            .value("corruptions", "LIST", default: "all", help: "all or comma-separated corruption names"),
            .value("severities", "LIST", default: "1-5", help: "severities, e.g. 1-5, 3 or 1,3"),
            .value("table", "TABLE", help: "mnist-c or cifar10-c (default by image shape)"),
            .value("seed", "N", default: "0", help: "seed of the noise corruptions"),
            .value("limit", "N", help: "a class-balanced subset of N images (as kdistill eval --limit)"),
            CommonOptions.json,
        ])

    static func run(_ args: ParsedArguments) throws {
        if let n = try args.int("threads", min: 1) { ConfigLoading.applyThreadCount(n) }
        guard let data = args.string("data") else {
            throw UsageError(message: "--data: required (e.g. --data fashion-mnist)", command: spec.name)
        }
        guard let output = args.string("write") else {
            throw UsageError(message: "--write: required (the output directory)", command: spec.name)
        }
        let request = Corrupt.Request(
            dataset: data, directory: args.string("data-dir"), split: args.string("split") ?? "test", output: output,
            corruptions: args.string("corruptions") ?? "all", severities: args.string("severities") ?? "1-5",
            table: args.string("table"), seed: try args.int("seed", min: 0) ?? 0, limit: try args.int("limit", min: 1))
        let start = Date()
        let manifest = try Corrupt.run(request)
        if args.flag("json") { print(manifest.formatted()); return }
        let variants = manifest["variants"]?.arrayValue?.count ?? 0
        print(
            "wrote \(variants) variants of \((manifest["images"]?.intValue ?? 0).formatted()) "
                + "\(manifest["dataset"]?.stringValue ?? "") \(manifest["split"]?.stringValue ?? "") images "
                + "(\(manifest["table"]?.stringValue ?? ""), seed \(manifest["seed"]?.intValue ?? 0)) to \(output) "
                + String(format: "in %.1f s", Date().timeIntervalSince(start)))
    }
}
