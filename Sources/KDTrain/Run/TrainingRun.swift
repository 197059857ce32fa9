// TrainingRun: the training loop shared by teacher training and every single-student distillation
// method. It walks the method's stages (fresh optimizer and schedule each), asks the method for loss
// terms each step and steps the optimizer; RunRecorder keeps the files.

import Foundation
import KDData
import KDMethods
import KDNN
import KDTensor

/// One student (or teacher) trained under a method, writing its run directory.
public final class TrainingRun {
    let config: ExperimentConfig
    let data: ExperimentData
    let learner: Learner
    let teachers: Teachers
    let method: DistillationMethod
    let stages: [Stage]
    let recorder: RunRecorder
    /// The method's `cache_teacher` (whether the cache is built is Teachers.cacheIfAllowed's decision).
    let cacheTeacher: Bool
    /// A study's limit (stop early, no test figures); nil for an ordinary run.
    public var limit: RunLimit?

    public init(
        config: ExperimentConfig, data: ExperimentData, learner: Learner, teachers: Teachers,
        method: DistillationMethod, methodName: String, dir: RunDirectory, cacheTeacher: Bool = false
    ) {
        (self.config, self.data, self.learner, self.teachers, self.method) = (config, data, learner, teachers, method)
        self.cacheTeacher = cacheTeacher
        let declared = method.stages
        stages = declared.isEmpty ? [Stage("train", epochs: config.epochs)] : declared
        recorder = RunRecorder(
            config: config, data: data, learner: learner, dir: dir, methodName: methodName,
            teacherPaths: teachers.paths, evaluated: method.evaluatedModel)
    }

    var totalEpochs: Int { stages.reduce(0) { $0 + $1.epochs } }

    /// The stage of global epoch `epoch` and the epoch its stage starts at.
    func stage(at epoch: Int) -> (stage: Stage, start: Int) {
        var start = 0
        for s in stages {
            if epoch < start + s.epochs { return (s, start) }
            start += s.epochs
        }
        return (stages[stages.count - 1], start - stages[stages.count - 1].epochs)
    }

    /// The limit's validation figures of the evaluated network as it is now (nil: none asked).
    func limitMeasures() throws -> JSONValue? {
        guard let measures = limit?.measures, !measures.isEmpty else { return nil }
        var o = JSONObject()
        for m in measures { o[m.rawValue] = .number(try m.measure(recorder.evaluated, data: data, seed: config.seed)) }
        return .object(o)
    }

    /// Trains to the end (or to a signal, which throws `RunInterrupted` after saving); returns summary.json.
    /// Under a `limit` that leaves epochs untrained it stops there, resumable, and returns `"status": "paused"`.
    public func run(resume: Bool) throws -> JSONValue {
        try recorder.prepare(resume: resume) { self.stage(at: $0).stage }
        let stopAt = totalEpochs - (limit?.epochsLeft ?? 0)
        if stopAt < totalEpochs && recorder.state.epoch >= stopAt {  // trained that far already
            return RunLimit.paused(name: config.name, epoch: recorder.state.epoch, stopEpoch: stopAt)
        }
        let store = cacheTeacher ? try TeacherStore.fromEnvironment() : nil
        let testAllowed = !(limit?.validationOnly ?? false)
        if teachers.cacheIfAllowed(
            requested: cacheTeacher, train: data.train, augmented: data.augmented, uses: stages.map { method.teacherUse(in: $0) },
            store: store, dataset: data.dataset.rawValue), testAllowed
        {
            teachers.cacheEvaluation(for: data.test, store: store, dataset: data.dataset.rawValue)
        }
        let steps = data.train.numBatches
        for epoch in recorder.state.epoch..<totalEpochs {
            if epoch >= stopAt {
                return RunLimit.paused(name: config.name, epoch: epoch, stopEpoch: stopAt, measures: try limitMeasures())
            }
            let (stage, start) = stage(at: epoch)
            if epoch == start && epoch != 0 && recorder.state.batch == 0 {
                learner.beginStage(stage, stepsPerEpoch: steps)
            }
            try trainEpoch(epoch, stage: stage, stageStart: start)
            try recorder.finishEpoch(
                epoch, totalEpochs: totalEpochs, stage: stages.count > 1 ? stage : nil,
                lr: learner.schedule.learningRate(atStep: (epoch - start) * steps),
                tracksBest: stage == stages[stages.count - 1])
        }
        if !testAllowed {
            var summary = try recorder.finishValidationOnly(totalEpochs: totalEpochs)
            if case .object(var o) = summary, let measures = try limitMeasures() {
                o["measures"] = measures
                summary = .object(o)
            }
            return summary
        }
        return try recorder.finish(
            totalEpochs: totalEpochs, teachers: teachers.models, teacherLogits: teachers.evaluationLogits,
            teacherTest: teachers.firstTestInputs, robustness: try robustnessBlock())
    }

    /// Trains epoch `epoch` from the recorder's next batch.
    func trainEpoch(_ epoch: Int, stage: Stage, stageStart: Int) throws {
        let loader = data.train, use = method.teacherUse(in: stage, epoch: epoch), steps = loader.numBatches
        recorder.progress.beginEpoch()
        for b in recorder.state.batch..<steps {
            let t0 = Date()
            let batch = loader.batch(epoch: epoch, index: b)
            let teacherOutputs = teachers.outputs(for: batch, use: use)
            // A stage that does not run the student (ft's paraphraser stage) leaves it, and its BN statistics, alone.
            let input =
                stage.studentRuns
                ? method.studentInput(
                    batch.images, InputStep(labels: batch.labels, teachers: teacherOutputs, epoch: epoch, batchIndex: b))
                : batch.images
            let out =
                stage.studentRuns
                ? learner.model.forward(input, learner.context)
                : ModelOutput(logits: Tensor.zeros([batch.labels.count, 0]), taps: [:])
            let step = StepContext(
                labels: batch.labels, student: out, teachers: teacherOutputs,
                epoch: epoch, stage: stage, labelSmoothing: Float(config.labelSmoothing), indices: batch.indices,
                batchIndex: b, ceReduction: config.data.labeled?.ceReduction ?? .batch,
                cleanImages: input === batch.images ? nil : batch.images,
                runStudent: { [learner] in learner.model.forward($0, learner.context) })
            let terms = method.losses(step)
            let total = terms.dropFirst().reduce(terms[0].value) { $0 + $1.value }
            let value = Double(total.item)
            try recorder.checkLoss(value, epoch: epoch, batch: b, stage: stage.name, terms: terms)
            learner.step(total, at: (epoch - stageStart) * steps + b)
            method.afterStep()
            recorder.record(
                terms: terms, total: value, logits: stage.studentRuns ? out.logits : nil, labels: batch.labels,
                seconds: Date().timeIntervalSince(t0), values: method.loggedValues)
            recorder.showProgress(epoch: epoch, epochs: totalEpochs, done: b + 1, total: steps, studentRan: stage.studentRuns)
            if let sig = Interruption.pending { throw try recorder.interrupted(epoch: epoch, nextBatch: b + 1, signal: sig) }
        }
    }
}
