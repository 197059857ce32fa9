// TeacherCacheKey: everything a teacher's cached training-set outputs depend on, derived from what
// the run really holds (checkpoint bytes, the loader's normalised images in order), never from config text.

import Foundation
import KDData
import KDNN
import KDSupport

/// The identity of one teacher-store entry. Two runs share an entry only when their teacher bytes,
/// architecture, exact training images (content and order, after normalisation), batch-norm mode and
/// kdistill build (the executable's bytes) agree; `taps` says which feature taps the entry holds besides the logits.
public struct TeacherCacheKey: Equatable {
    /// Bumped whenever the entry layout or the meaning of a field changes.
    public static let format = 1

    /// ContentHash of the teacher checkpoint file's bytes.
    public var checkpoint: String
    /// The architecture the checkpoint was loaded as: zoo name, input `[C, H, W]`, classes.
    public var model: String
    /// Dataset name and split (informational: the images hash below is what decides).
    public var dataset: String, split: String
    /// Number of training images N.
    public var count: Int
    /// ContentHash of the loader's normalised floats `[N, C, H, W]` in dataset order: covers the data
    /// files, the subset (limit, validation hold-out, seeds, any future data option) and the normalisation.
    public var images: String
    /// The normalisation, written out for people reading `kdistill cache list` (the images hash covers it).
    public var normalization: String
    /// The teacher's batch-norm mode; only eval mode is ever cached.
    public var batchNorm: String = "eval"
    /// The kdistill version that computed the outputs.
    public var version: String = KDistillVersion.current
    /// ContentHash of the running executable: another build may round differently (kernels change
    /// without a version bump), and entries must equal what this build computes in memory.
    public var build: String = TeacherCacheKey.currentBuild

    /// ContentHash of /proc/self/exe (10 MB, a few milliseconds), or "unknown" where it cannot be read.
    public static let currentBuild: String = (try? ContentHash.file("/proc/self/exe")) ?? "unknown"
    /// Taps held besides the logits, sorted.
    public var taps: [String]

    public init(
        checkpoint: String, model: String, dataset: String, split: String, count: Int, images: String,
        normalization: String, taps: Set<String>
    ) {
        (self.checkpoint, self.model, self.dataset, self.split) = (checkpoint, model, dataset, split)
        (self.count, self.images, self.normalization, self.taps) = (count, images, normalization, taps.sorted())
    }

    /// The key of `model` loaded from the checkpoint at `checkpointPath`, for the images of `loader`
    /// (`images`: their hash, from `imagesHash(loader)`, shared by every teacher of a run; `split`:
    /// `train`, or `test` for the logits of the summary's teacher evaluation).
    public init(
        checkpointPath: String, model: ModelSpec, loader: BatchLoader, images: String, dataset: String,
        split: String = "train", taps: Set<String>
    ) throws {
        let norm = loader.normalization
        self.init(
            checkpoint: try ContentHash.file(checkpointPath),
            model: "\(model.name) \(model.inputShape.map(String.init).joined(separator: "x")) \(model.numClasses) classes",
            dataset: dataset, split: split, count: loader.count, images: images,
            normalization: "mean \(norm.mean) std \(norm.std)", taps: taps)
    }

    /// ContentHash of what `loader` feeds the teacher: its shape and normalised floats in dataset order.
    public static func imagesHash(_ loader: BatchLoader) -> String {
        var hash = ContentHash()
        hash.update("\(loader.count)x\(loader.channels)x\(loader.height)x\(loader.width)")
        loader.withImages { hash.update(UnsafeRawBufferPointer($0)) }
        return hash.hex
    }

    /// Every field but the taps, in a fixed order: entries with equal `base` differ only in taps.
    var baseFields: JSONObject {
        [
            "format": .int(Self.format), "version": .string(version), "build": .string(build),
            "checkpoint": .string(checkpoint),
            "model": .string(model), "dataset": .string(dataset), "split": .string(split), "count": .int(count),
            "images": .string(images), "normalization": .string(normalization), "batch_norm": .string(batchNorm),
        ]
    }

    /// Every field, as stored in an entry's manifest and file metadata.
    public var json: JSONValue {
        var fields = baseFields
        fields["taps"] = .array(taps.map(JSONValue.string))
        return .object(fields)
    }

    /// Hash of every field but the taps.
    public var base: String { Self.digest(.object(baseFields)) }
    /// The entry's name: hash of every field (32 hex digits).
    public var id: String { Self.digest(json) }

    /// Whether an entry for `other` can serve this key: same base, and it holds every tap this key asks for.
    public func isServed(by other: TeacherCacheKey) -> Bool {
        other.baseFields == baseFields && Set(taps).isSubset(of: other.taps)
    }

    /// The key stored as `json`, or nil when `json` is not one.
    public init?(json: JSONValue) {
        guard let o = json.objectValue, o["format"]?.intValue == Self.format,
            let checkpoint = o["checkpoint"]?.stringValue, let model = o["model"]?.stringValue,
            let dataset = o["dataset"]?.stringValue, let split = o["split"]?.stringValue, let count = o["count"]?.intValue,
            let images = o["images"]?.stringValue, let norm = o["normalization"]?.stringValue,
            let bn = o["batch_norm"]?.stringValue, let version = o["version"]?.stringValue,
            let build = o["build"]?.stringValue,
            let taps = o["taps"]?.arrayValue?.compactMap(\.stringValue)
        else { return nil }
        self.init(
            checkpoint: checkpoint, model: model, dataset: dataset, split: split, count: count, images: images,
            normalization: norm, taps: Set(taps))
        batchNorm = bn
        self.version = version
        self.build = build
    }

    private static func digest(_ value: JSONValue) -> String {
        var hash = ContentHash()
        hash.update(value.formatted(.compact))
        return hash.hex
    }
}
