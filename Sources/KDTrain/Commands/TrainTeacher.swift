// TrainTeacher: `kdistill train-teacher CONFIG`: trains the config's `model` on the labels and writes
// its run directory (metrics, checkpoints, summary).

import KDAdversarial
import KDMethods
import KDNN

/// Teacher (or from-scratch) training.
public enum TrainTeacher {
    /// Runs the config at `path`; returns summary.json.
    public static func run(_ path: String, overrides: [String], resume: Bool, threads: Int?) throws -> JSONValue {
        let config = try ConfigLoading.load(path, overrides: overrides, for: .trainTeacher)
        ConfigLoading.applyThreads(config, override: threads)
        return try run(config, resume: resume)
    }

    /// Runs a loaded, validated config (a study's trial passes its `limit`).
    public static func run(_ config: ExperimentConfig, resume: Bool, limit: RunLimit? = nil) throws -> JSONValue {
        let data = try ExperimentData(
            config.data, seed: config.seed, batchSize: config.batchSize, evalBatchSize: config.evalBatchSize,
            supervisedOnly: true,
            loadTest: !(limit?.validationOnly ?? false))
        guard let modelConfig = config.model else { throw ConfigError(source: config.source, path: "model", message: "required") }
        let model = try Zoo.build(data.spec(modelConfig), seed: UInt64(config.seed))
        let quantization = config.quantize == .int8 ? try FakeQuantization.attach(to: model) : nil
        if quantization != nil { ProgressDisplay.log("quantize int8: quantization-aware training from scratch") }
        let learner = Learner(
            name: model.spec.name, model: model, extras: [], optimizer: config.optimizer,
            schedule: config.schedule, seed: UInt64(config.seed) &+ 1, quantization: quantization)
        Interruption.install()
        let method: DistillationMethod =
            config.adversarial.map {
                AdversarialTraining(
                    model: model, space: PixelSpace(data.normalization), settings: $0.settings(for: data.dataset),
                    seed: UInt64(config.seed))
            } ?? LabelsOnly()
        if let adversarial = config.adversarial {
            let a = adversarial.settings(for: data.dataset)
            ProgressDisplay.log(
                "adversarial training: \(a.name), eps \(a.eps), step size \(a.stepSize)"
                    + (a.kind == .pgd ? ", \(a.start == .clean ? "clean" : "uniform random") start" : ""))
        }
        let run = TrainingRun(
            config: config, data: data, learner: learner, teachers: .none, method: method,
            methodName: config.adversarial == nil ? "labels" : "adversarial", dir: RunDirectory(config.output.dir))
        run.limit = limit
        return try run.run(resume: resume)
    }
}
