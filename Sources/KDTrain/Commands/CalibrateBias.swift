// CalibrateBias: `kdistill calibrate-bias RUN --classes C[,C...]`: Hinton et al. 2015 §3's bias
// correction. One shared δ is added to the final-layer bias of the listed classes, chosen on the run's
// validation split (rebuilt from config.json; never the test set), and written as bias-corrected.safetensors.

import Foundation
import KDData
import KDNN
import KDTensor

/// Bias correction of a finished run's classifier.
public enum CalibrateBias {
    /// How δ is chosen.
    public enum Mode: String, CaseIterable, Sendable {
        /// Highest validation accuracy on the grid −10 … +10, step 0.05 (ties: smallest |δ|).
        case valGrid = "val-grid"
        /// Label-free: mean softmax mass of the classes on validation images = their training share.
        case prior
    }

    /// What to calibrate.
    public struct Request: Sendable {
        /// The run directory (holds config.json).
        public var run: String
        /// Classes whose bias gets δ, each in 0..<K, no repeats.
        public var classes: [Int]
        public var mode: Mode
        /// `best`, `latest` or a checkpoint path.
        public var checkpoint: String
        /// `--threads`.
        public var threads: Int?

        public init(run: String, classes: [Int], mode: Mode = .valGrid, checkpoint: String = "best", threads: Int? = nil) {
            (self.run, self.classes, self.mode, self.checkpoint, self.threads) = (run, classes, mode, checkpoint, threads)
        }
    }

    /// The file the corrected checkpoint is written to, in the run directory.
    public static let outputName = "bias-corrected.safetensors"
    /// The record of the choice, in the run directory.
    public static let recordName = "calibration.json"

    /// Chooses δ, writes the corrected checkpoint and calibration.json, and returns the record.
    public static func run(_ request: Request) throws -> JSONValue {
        let dir = RunDirectory(request.run)
        let config = try runConfig(dir)
        ConfigLoading.applyThreads(config, override: request.threads)
        let checkpointPath = try resolveCheckpoint(request.checkpoint, in: dir)
        let checkpoint = try ModelCheckpoint(path: checkpointPath)
        let model = try checkpoint.model(fallback: nil, hint: "calibrate a kdistill checkpoint")
        guard let bias = model.classifierBias else {
            throw RunInputError("\(checkpointPath): model \(model.spec.name) has no final-layer bias to correct")
        }
        try checkClasses(request.classes, numClasses: model.spec.numClasses)
        let data = try ExperimentData(
            config.data, seed: config.seed, batchSize: config.batchSize, evalBatchSize: config.evalBatchSize)
        guard let validation = data.validation else { throw noValidation(dir) }
        guard data.inputShape == model.spec.inputShape, data.numClasses == model.spec.numClasses else {
            throw RunInputError(
                "\(checkpointPath): expected a model for \(data.inputShape) with \(data.numClasses) classes (the run's data), "
                    + "found \(model.spec.name) for \(model.spec.inputShape) with \(model.spec.numClasses)")
        }

        let logits = ShiftedLogits(validationLogits(model, validation), classes: data.numClasses, listed: request.classes)
        let before = Double(logits.correct(validation.labels, delta: 0)) / Double(logits.count)
        var record = JSONObject()
        let delta: Float
        switch request.mode {
        case .valGrid:
            delta = BiasSearch.grid(logits, labels: validation.labels).delta
            record["grid"] = ["from": -10, "to": 10, "step": .number(Double(BiasSearch.gridStep))]
        case .prior:
            let target = request.classes.reduce(0) { $0 + data.classPrior[$1] }
            guard let found = BiasSearch.prior(logits, target: target) else {
                throw RunInputError(
                    "--mode prior: expected classes whose training share lies in (0, 1), found \(target) for "
                        + "classes \(request.classes.map(String.init).joined(separator: ","))")
            }
            delta = Float(found)
            record["target_mass"] = .number(target)
            record["mass_before"] = .number(logits.meanMass(delta: 0))
            record["mass_after"] = .number(logits.meanMass(delta: Double(delta)))
        }
        for c in request.classes { bias.tensor.data[c] += delta }
        let after = Evaluator.accuracy(model, validation)  // the corrected model itself, not the shifted logits

        record["checkpoint"] = .string(checkpointPath)
        record["bias"] = .string(bias.name)
        record["classes"] = .array(request.classes.map(JSONValue.int))
        record["delta"] = .number(Double(delta))
        record["mode"] = .string(request.mode.rawValue)
        record["validation_images"] = .int(logits.count)
        record["val_acc_before"] = .number(before)
        record["val_acc_after"] = .number(after)
        let output = dir.path + "/" + outputName
        record["output"] = .string(output)
        try write(model, metadata: checkpoint.file.metadata, calibration: .object(record), to: output)
        try dir.write(JSONValue.object(record).formatted() + "\n", to: dir.path + "/" + recordName)
        return .object(record)
    }

    /// The run's resolved config; a run that held out no validation split is refused.
    static func runConfig(_ dir: RunDirectory) throws -> ExperimentConfig {
        guard FileManager.default.fileExists(atPath: dir.configPath) else {
            throw RunInputError("\(dir.path): expected a run directory with config.json, found none")
        }
        let config = try ExperimentConfig.load(path: dir.configPath, context: ConfigLoading.context)
        if config.data.validation <= 0 { throw noValidation(dir) }
        return config
    }

    static func noValidation(_ dir: RunDirectory) -> RunInputError {
        RunInputError(
            "\(dir.configPath): data.validation: expected a validation hold-out > 0 to choose δ on, found 0 "
                + "(δ is never chosen on the test set; train the run with data.validation)")
    }

    /// `best`, `latest` or a path, which must exist.
    static func resolveCheckpoint(_ choice: String, in dir: RunDirectory) throws -> String {
        let path = choice == "best" ? dir.bestPath : choice == "latest" ? dir.latestPath : choice
        guard FileManager.default.fileExists(atPath: path) else {
            throw RunInputError("--checkpoint: expected an existing checkpoint, found no file \(path)")
        }
        return path
    }

    /// Classes must be non-empty, distinct, in 0..<K, and not all K (one shift of every logit changes nothing).
    static func checkClasses(_ classes: [Int], numClasses k: Int) throws {
        let listed = classes.map(String.init).joined(separator: ",")
        guard !classes.isEmpty else { throw RunInputError("--classes: expected at least one class, found none") }
        if let bad = classes.first(where: { $0 < 0 || $0 >= k }) {
            throw RunInputError("--classes: expected classes in 0..<\(k), found \(bad)")
        }
        guard Set(classes).count == classes.count else {
            throw RunInputError("--classes: expected distinct classes, found \(listed)")
        }
        guard classes.count < k else {
            throw RunInputError(
                "--classes: expected fewer than all \(k) classes (shifting every logit changes nothing), found \(listed)")
        }
    }

    /// Eval-mode logits of every validation image, `[N, K]` row-major in loader order.
    static func validationLogits(_ model: Model, _ loader: BatchLoader) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(loader.count * model.spec.numClasses)
        for b in 0..<loader.numBatches {
            let logits = noGrad { model.forward(loader.batch(epoch: 0, index: b).images, .eval).logits }
            out.append(contentsOf: UnsafeBufferPointer(start: logits.data, count: logits.count))
        }
        return out
    }

    /// Writes `model` with the source checkpoint's `metadata` plus `calibration` (compact JSON), atomically.
    static func write(_ model: Model, metadata source: [String: String], calibration: JSONValue, to path: String) throws {
        var metadata = source
        metadata["calibration"] = calibration.formatted(.compact)
        do { try model.saveCheckpoint(to: path, metadata: metadata) } catch {
            throw RunError("\(path): cannot write the checkpoint (\(error))")
        }
    }
}
