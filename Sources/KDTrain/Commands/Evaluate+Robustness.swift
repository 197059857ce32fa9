// Evaluate+Robustness: the `robustness` block of `kdistill eval` (--robustness, --attack, --corruptions):
// attacks and corruptions on the checkpoint (and its teacher), transfer attacks, and the CE baseline.

import Foundation
import KDData
import KDNN
import KDSupport

extension Evaluate {
    /// Robustness figures to add: attacks and corruptions on the student, and on the teacher beside it.
    public struct RobustnessChoice {
        /// Attacks (nil: none).
        public var attacks: RobustnessRequest.AttackChoice?
        /// Corruptions (nil: none).
        public var corruptions: RobustnessRequest.CorruptionChoice?
        public var seed: UInt64
        /// Craft every attack on this checkpoint instead (a transfer attack).
        public var transferFrom: String?
        /// What CE and mCE are relative to: a run directory or JSON file with its corruption results, or a checkpoint.
        public var baseline: String?

        public init(
            attacks: RobustnessRequest.AttackChoice?, corruptions: RobustnessRequest.CorruptionChoice? = nil, seed: UInt64 = 0,
            transferFrom: String? = nil, baseline: String? = nil
        ) {
            (self.attacks, self.corruptions, self.seed) = (attacks, corruptions, seed)
            (self.transferFrom, self.baseline) = (transferFrom, baseline)
        }
    }

    /// The normalisation a checkpoint records, if any, checked against `channels` (a one-line error naming
    /// the file, never a trap in the attacks' pixel space).
    static func checkpointNormalization(_ file: ModelCheckpoint, channels: Int) throws -> Normalization? {
        guard let n = file.metadata.normalization.map({ Normalization(mean: $0.mean, std: $0.std) }) else { return nil }
        try n.validate(channels: channels, context: "\(file.path): normalization")
        return n
    }

    /// The `robustness` block of an evaluation of `images` (read through `loader`).
    static func robustnessBlock(
        _ choice: RobustnessChoice, dataset: DatasetName, student: RobustnessSubject, teacher: RobustnessSubject?,
        loader: BatchLoader, images: ImageDataset
    ) throws -> JSONValue {
        let transfer = try choice.transferFrom.map { try subject(at: $0, like: student.model, role: "craft attacks on", loader) }
        let request = RobustnessRequest(
            attacks: choice.attacks?.attacks(for: dataset) ?? [], corruptions: choice.corruptions, seed: choice.seed)
        return try RobustnessEvaluation.run(
            request, student: student, teacher: teacher, transfer: transfer, transferName: choice.transferFrom, loader: loader,
            images: images, baseline: try choice.baseline.map { try baseline($0, like: student.model, loader) })
    }

    /// A checkpoint for the same inputs and classes as `model`, with its own normalisation (else the loader's).
    static func subject(at path: String, like model: Model, role: String, _ loader: BatchLoader) throws -> RobustnessSubject {
        let file = try ModelCheckpoint(path: path)
        let other = try file.model(fallback: nil, hint: modelHint)
        guard other.spec.inputShape == model.spec.inputShape, other.spec.numClasses == model.spec.numClasses else {
            throw RunInputError(
                "\(path): expected a network for input \(model.spec.inputShape) with \(model.spec.numClasses) classes to "
                    + "\(role), found \(other.spec.name) for \(other.spec.inputShape) with \(other.spec.numClasses)")
        }
        return RobustnessSubject(
            model: other,
            normalization: try checkpointNormalization(file, channels: other.spec.inputShape[0]) ?? loader.normalization)
    }

    /// `--baseline`: a run directory (its robustness.json), a JSON file holding corruption results (robustness.json,
    /// summary.json or an eval report), or a checkpoint evaluated now.
    static func baseline(_ path: String, like model: Model, _ loader: BatchLoader) throws -> CorruptionBaseline {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard isDirectory.boolValue || path.hasSuffix(".json") else {
            return .network(try subject(at: path, like: model, role: "compare with", loader))
        }
        let file = isDirectory.boolValue ? path + "/robustness.json" : path
        guard exists, FileManager.default.fileExists(atPath: file) else {
            throw RunInputError(
                "--baseline: expected a run directory with robustness.json, a JSON file or a checkpoint, found no \(file)")
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: try FileIO.readText(file)) } catch {
            throw RunInputError("\(file): expected JSON with corruption results, found \(error)")
        }
        let block = json["corruptions"] ?? json["robustness"]?["corruptions"]
        guard let block else { throw RunInputError("\(file): expected corruption results (a corruptions block), found none") }
        return .results(try CorruptionResults(json: block, source: file))
    }
}
