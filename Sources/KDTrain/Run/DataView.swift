// DataView: what one network reads of data's samples: data's own files or paired ones (`student_data`),
// then a view's transforms (`student_view`). A student's view comes from its config, a teacher's from its
// checkpoint (`__metadata__.student_view|student_data`, the same JSON), so eval and distill apply it alone.

import KDData
import KDJSON
import KDMethods
import KDNN

/// The input of one network: paired files or data's own, under transforms.
public struct DataView: Equatable, Sendable {
    /// The paired files read in place of data's (nil: data's own).
    public var paired: PairedSource?
    /// The transforms applied after reading.
    public var transforms: ImageView

    public init(paired: PairedSource? = nil, transforms: ImageView = ImageView()) {
        (self.paired, self.transforms) = (paired, transforms)
    }

    /// Data's own images, unchanged (every network without a view).
    public static let original = DataView()

    /// Whether this is data's own images unchanged.
    public var isOriginal: Bool { paired == nil && transforms.isIdentity }

    /// The network's copy of the whole split file `file` (data's images of `split` as read, in file order):
    /// the paired file of the split (checked against it) or `file` itself, under the transforms.
    public func images(of file: ImageDataset, split: Split) throws -> ImageDataset {
        if isOriginal { return file }
        let source = try paired.map { try PairedImages.load($0, split: split, matching: file) } ?? file
        return try transforms.apply(
            source, context: paired == nil ? "data.student_view" : "data.student_view (on \(source.source))")
    }

    /// The copy of a subset of a split file: the images of `full` (a `images(of:split:)` result) at the
    /// positions `subset` came from, in `subset`'s order.
    public static func matching(_ subset: ImageDataset, in full: ImageDataset) -> ImageDataset {
        full.subset(indices: (0..<subset.count).map(subset.origin(of:)))
    }

    /// A short text for logs: `student_view [{"downsample":[7,7]}]`, `data's images`.
    public var summary: String {
        var parts: [String] = []
        if let paired { parts.append("student_data \(ExperimentConfig.json(paired).formatted(.compact))") }
        if !transforms.isIdentity { parts.append("student_view \(ExperimentConfig.json(transforms).formatted(.compact))") }
        return parts.isEmpty ? "data's images" : parts.joined(separator: ", ")
    }
}

extension DataView {
    /// The metadata keys of a checkpoint trained on this view (none for data's own images).
    public var metadata: [String: String] {
        var m: [String: String] = [:]
        if !transforms.isIdentity { m["student_view"] = ExperimentConfig.json(transforms).formatted(.compact) }
        if let paired { m["student_data"] = ExperimentConfig.json(paired).formatted(.compact) }
        return m
    }

    /// The view a checkpoint was trained on (original when its metadata names none); `source` names errors.
    public init(metadata: CheckpointMetadata, source: String) throws {
        self.init()
        let decoder = ParamDecoder(context: ConfigLoading.context, source: source, overridden: [])
        func parse(_ key: String, _ kind: ParamKind) throws -> ParamValue? {
            guard let text = metadata.extra[key] else { return nil }
            guard let json = try? JSONValue(parsing: text) else {
                throw decoder.error(
                    "__metadata__.\(key)", "expected JSON as kdistill writes it, found \(ParamDecoder.show(.string(text)))")
            }
            return try decoder.decode(json, as: kind, path: "__metadata__.\(key)")
        }
        if let value = try parse("student_view", .list(.object(ConfigSchema.viewStep))) {
            transforms = try ExperimentConfig.imageView(value, path: "__metadata__.student_view", decoder: decoder)
        }
        if case .object(let p)? = try parse("student_data", .object(ConfigSchema.studentData)) {
            paired = try ExperimentConfig.pairedSource(p, path: "__metadata__.student_data", decoder: decoder)
        }
    }
}
