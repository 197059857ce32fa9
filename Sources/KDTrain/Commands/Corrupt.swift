// Corrupt: `kdistill corrupt --data DATASET --write DIR`: a split's corrupted variants (beyond.md §2.3)
// written as IDX files under DIR/<corruption>/<severity>/, and DIR/manifest.json (written last) saying
// what they are: the same bytes `kdistill eval --corruptions` evaluates.

import Foundation
import KDData
import KDSupport

/// Writing corrupted test sets.
public enum Corrupt {
    /// What to corrupt and where to write it; the list options are the command line's text.
    public struct Request {
        public var dataset: String
        public var directory: String?
        public var split: String
        public var output: String
        public var corruptions: String
        public var severities: String
        public var table: String?
        public var seed: Int
        public var limit: Int?
        public init(
            dataset: String, directory: String? = nil, split: String = "test", output: String, corruptions: String = "all",
            severities: String = "1-5", table: String? = nil, seed: Int = 0, limit: Int? = nil
        ) {
            (self.dataset, self.directory, self.split, self.output) = (dataset, directory, split, output)
            (self.corruptions, self.severities, self.table, self.seed, self.limit) = (corruptions, severities, table, seed, limit)
        }
    }

    /// Writes every requested variant and the manifest; returns the manifest. `progress` hears each
    /// variant's directory (relative to the output) after it is written.
    public static func run(_ r: Request, progress: ((String) -> Void)? = nil) throws -> JSONValue {
        guard let name = DatasetName(rawValue: r.dataset) else {
            throw RunInputError(
                "--data: expected one of \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")), found '\(r.dataset)'")
        }
        guard let split = Split(rawValue: r.split) else {
            throw RunInputError("--split: expected train or test, found '\(r.split)'")
        }
        guard r.seed >= 0 else { throw RunInputError("--seed: expected a non-negative integer, found \(r.seed)") }
        let corruptions = try Corruption.parseList(r.corruptions, context: "--corruptions")
        let severities = try Severities.parse(r.severities, context: "--severities")
        if FileManager.default.fileExists(atPath: r.output), !FileIO.isDirectory(r.output) {
            throw RunInputError("--write: expected a directory, found a file at \(r.output)")
        }
        let directory = DatasetLoader.resolveDirectory(name, requested: r.directory ?? "data/\(name.rawValue)")
        var images = try DatasetLoader.load(name, directory: directory, split: split)
        let table = try CorruptionTable.resolve(
            r.table, channels: images.channels, height: images.height, width: images.width, context: "--table")
        let limited = r.limit.map { $0 < images.count } ?? false
        // As `kdistill eval --limit`: a class-balanced subset drawn with seed 0.
        if let limit = r.limit, limited { images = try images.limited(to: limit, seed: 0) }

        var variants: [JSONValue] = []
        for corruption in corruptions {
            for severity in severities {
                let corrupted = try images.corrupted(corruption, severity: severity, table: table, seed: UInt64(r.seed))
                let relative = "\(corruption.rawValue)/\(severity)"
                let paths = try CorruptedFiles.write(corrupted, to: FileIO.join(r.output, relative))
                variants.append([
                    "corruption": .string(corruption.rawValue), "severity": .int(severity),
                    "parameter": .number(table.parameter(corruption, severity: severity)), "directory": .string(relative),
                    "images": .string(FileIO.join(relative, URL(fileURLWithPath: paths.images).lastPathComponent)),
                    "labels": .string(FileIO.join(relative, CorruptedFiles.labelsName)),
                ])
                progress?(relative)
            }
        }
        var manifest = JSONObject()
        manifest["dataset"] = .string(name.rawValue)
        manifest["split"] = .string(split.rawValue)
        manifest["source"] = .string(directory)
        manifest["images"] = .int(images.count)
        manifest["shape"] = .array(images.imageShape.map { .int($0) })
        manifest["class_names"] = .array(images.classNames.map { .string($0) })
        manifest["table"] = .string(table.rawValue)
        manifest["seed"] = .int(r.seed)
        manifest["limit"] = r.limit.map { .int($0) } ?? .null
        if limited {  // each image's position in the split's file
            manifest["indices"] = .array((0..<images.count).map { .int(images.origin(of: $0)) })
        }
        manifest["format"] = .string(
            "IDX unsigned bytes, big-endian: images [N, H, W] (magic 0x00000803) for one channel, [N, C, H, W] "
                + "(0x00000804) otherwise; labels [N] (0x00000801); pixels = UInt8(clip(x, 0, 1) * 255)")
        manifest["streams"] = .string(
            "image i under (corruption, severity) draws from SeededGenerator(mix(mix(mix(seed, corruption index), severity), i))")
        manifest["variants"] = .array(variants)
        let value = JSONValue.object(manifest)
        let path = FileIO.join(r.output, "manifest.json")
        do { try AtomicFile.write(value.formatted() + "\n", to: path) } catch {
            throw RunError("\(path): cannot write the manifest (\(error))")
        }
        return value
    }
}
