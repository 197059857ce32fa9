// AttentionViz: `kdistill viz attention CHECKPOINT [--teacher CKPT]`: one image of a dataset split,
// run through the student (and teacher) in eval mode with each checkpoint's own normalisation; the
// attention map of every tapped stage drawn over the image, written as PNG or SVG.

import Foundation
import KDData
import KDNN
import KDReport
import KDSupport
import KDTensor

/// Attention-map pictures of checkpoints.
public enum AttentionViz {
    /// What to draw.
    public struct Request {
        public var checkpoint: String
        public var teacher: String?
        /// Dataset name (default: the checkpoint's).
        public var dataset: String?
        /// Dataset directory (default `data/<dataset>`, or Debian's Fashion-MNIST).
        public var dataDirectory: String?
        /// `test` or `train`.
        public var split: String
        /// Image index in the split.
        public var index: Int
        /// Output file, `.png` or `.svg`.
        public var output: String
        /// Student taps (default: every stage); teacher taps likewise.
        public var taps: [String]?, teacherTaps: [String]?
        /// Cell scale (default: cells of at least 96 pixels).
        public var scale: Int?

        /// A request with the defaults.
        public init(
            checkpoint: String, teacher: String? = nil, dataset: String? = nil, dataDirectory: String? = nil,
            split: String = "test",
            index: Int = 0, output: String = "attention.png", taps: [String]? = nil, teacherTaps: [String]? = nil,
            scale: Int? = nil
        ) {
            (self.checkpoint, self.teacher, self.dataset, self.dataDirectory, self.split) = (
                checkpoint, teacher, dataset, dataDirectory, split
            )
            (self.index, self.output, self.taps, self.teacherTaps, self.scale) = (index, output, taps, teacherTaps, scale)
        }
    }

    /// Draws the grid for `request`, writes it, and returns a few lines describing it.
    public static func run(_ request: Request) throws -> String {
        let ext = (request.output as NSString).pathExtension.lowercased()
        guard ext == "png" || ext == "svg" else {
            throw RunInputError("--out: expected a file name ending in .png or .svg, found '\(request.output)'")
        }
        let (grid, lines) = try self.grid(request)
        if ext == "png" {
            try PNG.write(grid.render(), to: request.output)
        } else {
            let text = try grid.svg()
            do { try AtomicFile.write(text, to: request.output) } catch {
                throw ImageError("\(request.output): cannot write (\(error))")
            }
        }
        return (lines + ["wrote \(request.output) (\(grid.size.width)x\(grid.size.height))"]).joined(separator: "\n")
    }

    /// The grid for `request` (not written) and lines describing the image and each network's prediction.
    public static func grid(_ request: Request) throws -> (grid: AttentionGrid, lines: [String]) {
        let load = { (path: String) throws -> (Model, CheckpointMetadata) in
            let file = try ModelCheckpoint(path: path)
            return (try file.model(fallback: nil, hint: "viz draws checkpoints written by kdistill"), file.metadata)
        }
        let (student, meta) = try load(request.checkpoint)
        let teacher = try request.teacher.map(load)
        guard let name = request.dataset ?? meta.dataset, let dataset = DatasetName(rawValue: name) else {
            throw RunInputError(
                "\(request.checkpoint): expected a dataset (checkpoint metadata or --data), found "
                    + (request.dataset ?? meta.dataset).map { "'\($0)'" }.orNone)
        }
        guard let split = Split(rawValue: request.split) else {
            throw RunInputError("--split: expected train or test, found '\(request.split)'")
        }
        let directory = DatasetLoader.resolveDirectory(dataset, requested: request.dataDirectory ?? "data/\(dataset.rawValue)")
        let images = try DatasetLoader.load(
            dataset, directory: directory, split: split,
            cifar100Labels: student.spec.numClasses == 20 ? .coarse : .fine)
        guard request.index >= 0 && request.index < images.count else {
            throw RunInputError(
                "--index: expected an image index in 0..<\(images.count) (\(dataset.rawValue) \(split.rawValue)), found \(request.index)"
            )
        }
        for (path, model) in [(request.checkpoint, student)] + (teacher.map { [(request.teacher ?? "", $0.0)] } ?? [])
        where model.spec.inputShape != images.imageShape {
            throw RunInputError(
                "\(path): expected a model for input \(images.imageShape) (\(dataset.rawValue)), found \(model.spec.name) "
                    + "for \(model.spec.inputShape)")
        }
        let one = images.subset(indices: [request.index])
        var rows: [AttentionRow] = []
        var lines = [
            "image \(request.index) of \(dataset.rawValue) \(split.rawValue), label \(one.labels[0]) (\(one.classNames[Int(one.labels[0])]))"
        ]
        let nets =
            [("student", student, meta, request.taps)] + (teacher.map { [("teacher", $0.0, $0.1, request.teacherTaps)] } ?? [])
        for (role, model, m, wanted) in nets {
            let norm =
                m.normalization.map { Normalization(mean: $0.mean, std: $0.std) }
                ?? Normalization.identity(channels: one.channels)
            let x = try BatchLoader(dataset: one, normalization: norm, batchSize: 1, shuffle: false).batch(epoch: 0, index: 0)
                .images
            let out = noGrad { model.forward(x, .eval) }
            let taps = wanted ?? AttentionMap.defaultTaps(model, output: out)
            guard !taps.isEmpty else {
                throw RunInputError(
                    "\(role) \(model.spec.name): expected feature taps with a spatial map [N, C, H, W], found none (taps: "
                        + model.tapNames.joined(separator: ", ") + ")")
            }
            let maps = try taps.map { tap -> AttentionMap in
                guard let f = out.taps[tap] else {
                    throw RunInputError(
                        "--\(role == "student" ? "" : "teacher-")taps: \(model.spec.name) has no tap '\(tap)' (taps: "
                            + model.tapNames.joined(separator: ", ") + ")")
                }
                return try AttentionMap(tap: tap, feature: f)
            }
            rows.append(AttentionRow(name: "\(role) \(model.spec.name)", maps: maps))
            let probs = noGrad { out.logits.softmax() }.scalars
            let best = probs.indices.max { probs[$0] < probs[$1] } ?? 0
            let className = best < one.classNames.count ? one.classNames[best] : String(best)
            lines.append(
                "\(role) \(model.spec.name): predicts \(best) (\(className), \(ReportFormat.fixed(Double(probs[best]) * 100, 1))%); "
                    + "maps " + maps.map { "\($0.tap) \($0.height)x\($0.width)" }.joined(separator: ", "))
        }
        let input = InputImage(bytes: one.pixels, channels: one.channels, height: one.height, width: one.width)
        let grid = AttentionGrid(
            input: input, rows: rows,
            title: "\(dataset.rawValue) \(split.rawValue) #\(request.index): \(one.classNames[Int(one.labels[0])])",
            scale: request.scale)
        return (grid, lines)
    }
}
