// TrainTeacher: `kdistill train-teacher CONFIG`: trains the config's `model` on the labels and writes
// its run directory (metrics, checkpoints, summary).

import KDMethods
import KDNN

/// Teacher (or from-scratch) training.
public enum TrainTeacher {
    /// Runs the config at `path`; returns summary.json.
    public static func run(_ path: String, overrides: [String], resume: Bool, threads: Int?) throws -> JSONValue {
        let config = try ConfigLoading.load(path, overrides: overrides, for: .trainTeacher)
        ConfigLoading.applyThreads(config, override: threads)
        let data = try ExperimentData(
            config.data, seed: config.seed, batchSize: config.batchSize, evalBatchSize: config.evalBatchSize, supervisedOnly: true
        )
        guard let modelConfig = config.model else { throw ConfigError(source: config.source, path: "model", message: "required") }
        let model = try Zoo.build(data.spec(modelConfig), seed: UInt64(config.seed))
        let learner = Learner(
            name: model.spec.name, model: model, extras: [], optimizer: config.optimizer,
            schedule: config.schedule, seed: UInt64(config.seed) &+ 1)
        Interruption.install()
        let run = TrainingRun(
            config: config, data: data, learner: learner, teachers: .none, method: LabelsOnly(),
            methodName: "labels", dir: RunDirectory(config.output.dir))
        return try run.run(resume: resume)
    }
}
