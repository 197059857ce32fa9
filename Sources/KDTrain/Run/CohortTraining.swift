// CohortTraining: mutual learning (Zhang et al. 2018): several students trained together, each with
// its own optimizer, run directory (`student1`, `student2`, ...), checkpoints and evaluation.
// Sequential update (the paper): step member 1, recompute its output, step member 2, ...

import Foundation
import KDMethods
import KDNN
import KDTensor

/// Trains a cohort of students on each batch.
final class CohortTraining {
    let config: ExperimentConfig
    let data: ExperimentData
    let cohort: CohortMethod
    let teachers: Teachers
    let dir: RunDirectory
    let recorders: [RunRecorder]

    init(config: ExperimentConfig, data: ExperimentData, cohort: CohortMethod, teachers: Teachers, dir: RunDirectory) throws {
        (self.config, self.data, self.cohort, self.teachers, self.dir) = (config, data, cohort, teachers, dir)
        recorders = try cohort.members.enumerated().map { k, member in
            let model = try Zoo.build(data.spec(member), seed: UInt64(config.seed) &+ UInt64(1000 * k))
            let learner = Learner(
                name: "student\(k + 1)", model: model, extras: [], optimizer: config.optimizer,
                schedule: config.schedule, seed: UInt64(config.seed) &+ UInt64(1000 * k + 1))
            return RunRecorder(
                config: config, data: data, learner: learner, dir: dir.child("student\(k + 1)"),
                methodName: config.method?.name ?? "dml", teacherPaths: teachers.paths)
        }
    }

    func run(resume: Bool) throws -> JSONValue {
        try dir.create()
        try dir.write(config.resolvedJSON.formatted() + "\n", to: dir.configPath)
        for r in recorders { try r.prepare(resume: resume) { _ in Stage("train", epochs: self.config.epochs) } }
        let start = recorders.map(\.state.epoch).min() ?? 0
        guard recorders.allSatisfy({ $0.state.epoch == start && $0.state.batch == recorders[0].state.batch }) else {
            throw RunInputError("\(dir.path): the members' resume states disagree; start the cohort again without --resume")
        }
        let stage = Stage("train", epochs: config.epochs), steps = data.train.numBatches
        for epoch in start..<config.epochs {
            for r in recorders { r.progress.beginEpoch() }
            for b in recorders[0].state.batch..<steps {
                try trainBatch(epoch: epoch, index: b, stage: stage, steps: steps)
                if let sig = Interruption.pending {
                    var error: RunInterrupted?
                    for r in recorders { error = try r.interrupted(epoch: epoch, nextBatch: b + 1, signal: sig) }
                    throw error!
                }
            }
            for r in recorders {
                try r.finishEpoch(
                    epoch, totalEpochs: config.epochs, stage: nil,
                    lr: r.learner.schedule.learningRate(atStep: epoch * steps), tracksBest: true)
            }
        }
        var members: [JSONValue] = []
        for r in recorders {
            members.append(
                try r.finish(totalEpochs: config.epochs, teachers: teachers.models, teacherTest: teachers.firstTestInputs))
        }
        let accuracies = members.compactMap { $0["test_acc"]?.doubleValue }
        let summary: JSONValue = .object([
            "name": .string(config.name), "status": "completed", "method": .string(config.method?.name ?? "dml"),
            "dataset": .string(data.dataset.rawValue),
            "test_acc": .number(accuracies.max() ?? 0), BestSelection.summaryKey: .string(BestSelection.split(data)),
            "members": .array(members),
        ])
        try dir.write(summary.formatted() + "\n", to: dir.summaryPath)
        return summary
    }

    /// One batch for every member (sequential or simultaneous updates).
    func trainBatch(epoch: Int, index b: Int, stage: Stage, steps: Int) throws {
        let t0 = Date()
        let batch = data.train.batch(epoch: epoch, index: b)
        let teacherOut = teachers.outputs(for: batch, use: cohort.teacherUse)
        let step = StepContext(
            labels: batch.labels, student: ModelOutput(logits: Tensor.zeros([0]), taps: [:]),
            teachers: teacherOut, epoch: epoch, stage: stage, labelSmoothing: Float(config.labelSmoothing),
            indices: batch.indices, batchIndex: b, ceReduction: config.data.labeled?.ceReduction ?? .batch)
        var outputs = recorders.map { $0.learner.model.forward(batch.images, $0.learner.context) }
        let shared = Date().timeIntervalSince(t0) / Double(recorders.count)
        for (k, r) in recorders.enumerated() {
            let t1 = Date()
            let memberStep = step.with(student: outputs[k])
            let terms = cohort.losses(member: k, outputs: outputs, step: memberStep)
            let total = terms.dropFirst().reduce(terms[0].value) { $0 + $1.value }
            let value = Double(total.item)
            try r.checkLoss(value, epoch: epoch, batch: b, stage: stage.name, terms: terms)
            let logits = outputs[k].logits
            r.learner.step(total, at: epoch * steps + b)
            if !cohort.simultaneousUpdate && k + 1 < recorders.count {
                // Later members see this member's updated predictions (no tape: peers are detached anyway).
                outputs[k] = noGrad { r.learner.model.forward(batch.images, r.learner.context) }
            }
            r.record(
                terms: terms, total: value, logits: logits, labels: batch.labels, seconds: shared + Date().timeIntervalSince(t1))
            r.showProgress(epoch: epoch, epochs: config.epochs, done: b + 1, total: steps)
        }
    }
}
