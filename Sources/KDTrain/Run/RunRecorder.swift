// RunRecorder: the bookkeeping of one trained network: running sums of a partial epoch, the
// metrics.jsonl line of each epoch, latest/best/kept checkpoints, resume state, and summary.json.
// The single-student loop and the cohort loop both record through it.

import Foundation
import KDData
import KDMethods
import KDNN
import KDTensor

/// Records the progress of one learner into its run directory.
final class RunRecorder {
    let config: ExperimentConfig
    let data: ExperimentData
    let learner: Learner
    let dir: RunDirectory
    let methodName: String
    let teacherPaths: [String]
    /// The network evaluated, selected as best and saved as latest: the learner's model unless the method
    /// keeps another (mean-teacher's weight average), in which case the student goes to latest-student.
    let evaluated: Model
    let progress: ProgressDisplay
    var state = ResumeState()
    var divergence = DivergenceCheck()
    /// Keys summary.json adds for the method (kd's `class_adaptive`: the reliabilities it trained with).
    var summaryExtras = JSONObject()
    private var runStart = Date()

    init(
        config: ExperimentConfig, data: ExperimentData, learner: Learner, dir: RunDirectory, methodName: String,
        teacherPaths: [String], evaluated: Model? = nil
    ) {
        (self.config, self.data, self.learner, self.dir) = (config, data, learner, dir)
        (self.methodName, self.teacherPaths) = (methodName, teacherPaths)
        self.evaluated = evaluated ?? learner.model
        progress = ProgressDisplay(label: learner.name)
    }

    /// Whether the evaluated network is not the learner's (the student is then saved apart, for resume).
    var studentApart: Bool { evaluated !== learner.model }

    /// Creates the directory and either restores a saved state (`resume`) or starts afresh.
    /// `stageAt(epoch)` gives the stage containing an epoch (to rebuild its optimizer).
    func prepare(resume: Bool, stageAt: (Int) -> Stage) throws {
        try dir.create()
        let stepsPerEpoch = data.train.numBatches
        if resume && FileManager.default.fileExists(atPath: dir.resumePath) {
            try learner.model.loadCheckpoint(path: studentApart ? dir.latestStudentPath : dir.latestPath)
            let (saved, file) = try ResumeState.read(from: dir.resumePath)
            learner.beginStage(stageAt(saved.epoch), stepsPerEpoch: stepsPerEpoch)
            try saved.restore(file, into: learner, source: dir.resumePath)
            state = saved
            try dir.truncateMetrics(afterEpoch: state.epoch)
            ProgressDisplay.log("\(learner.name): resuming at epoch \(state.epoch + 1), batch \(state.batch + 1)")
        } else {
            for stale in [dir.metricsPath, dir.summaryPath, dir.resumePath, dir.labeledPath, dir.imbalancePath] {
                try? FileManager.default.removeItem(atPath: stale)
            }
            learner.beginStage(stageAt(0), stepsPerEpoch: stepsPerEpoch)
        }
        try dir.write(config.resolvedJSON.formatted() + "\n", to: dir.configPath)
        if let imbalance = data.imbalance { try dir.write(imbalance.json.formatted() + "\n", to: dir.imbalancePath) }
        if let labeled = data.labeled { try dir.write(labeled.json.formatted() + "\n", to: dir.labeledPath) }
        runStart = Date().addingTimeInterval(-state.elapsed)
    }

    /// Adds one training step to the epoch's sums (`logits` nil: the student did not run, no accuracy), and
    /// the method's logged `values`, which metrics.jsonl shows as epoch means like the loss terms.
    /// Training accuracy counts the labelled samples only (an unlabelled one has no label to compare with).
    func record(
        terms: [LossTerm], total: Double, logits: Tensor?, labels: [Int32], seconds: Double,
        values: [(name: String, value: Double)] = []
    ) {
        let n = Double(labels.count)
        state.sums["train_loss", default: 0] += total * n
        for term in terms { state.sums[term.name, default: 0] += Double(term.value.item) * n }
        for value in values { state.sums[value.name, default: 0] += value.value * n }
        if let logits {
            let k = logits.shape[1]
            for (i, y) in labels.enumerated() where y >= 0 && Vector.argmax(logits.data + i * k, k).1 == Int(y) {
                state.correct += 1
            }
        }
        state.seen += labels.count
        state.labeledSeen += labels.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        state.trainSeconds += seconds
    }

    /// Updates the live progress bar after batch `done` of `total` (without accuracy when the student did not run).
    func showProgress(epoch: Int, epochs: Int, done: Int, total: Int, studentRan: Bool = true) {
        let seen = Double(max(state.seen, 1))
        progress.batch(
            epoch: epoch + 1, epochs: epochs, done: done, total: total, loss: state.sums["train_loss", default: 0] / seen,
            accuracy: studentRan && state.labeledSeen > 0 ? Double(state.correct) / Double(state.labeledSeen) : nil,
            imagesPerSecond: Double(state.seen) / max(state.trainSeconds, 1e-9))
    }

    /// Ends epoch `epoch` (0-based): evaluates, appends metrics, writes checkpoints and the resume state.
    /// `tracksBest`: whether this epoch may become `best` (the final stage).
    func finishEpoch(_ epoch: Int, totalEpochs: Int, stage: Stage?, lr: Float, tracksBest: Bool) throws {
        let monitor = data.monitor
        let score = Evaluator.accuracy(evaluated, monitor.loader)
        let seen = Double(max(state.seen, 1))
        var line = JSONObject()
        line["epoch"] = .int(epoch + 1)
        if let stage { line["stage"] = .string(stage.name) }
        line["lr"] = .number(Double("\(lr)") ?? Double(lr))  // the float's shortest decimal, not its binary expansion
        line["train_loss"] = .number(state.sums["train_loss", default: 0] / seen)
        for (name, sum) in state.sums.sorted(by: { $0.key < $1.key }) where name != "train_loss" {
            line[name] = .number(sum / seen)
        }
        // Training accuracy needs a student pass and labels to compare with (a transfer set has none).
        let measured = (stage?.studentRuns ?? true) && state.labeledSeen > 0
        let labeledSeen = Double(max(state.labeledSeen, 1))
        if measured { line["train_acc"] = .number(Double(state.correct) / labeledSeen) }
        if data.labeled != nil { line["labeled_seen"] = .int(state.labeledSeen) }
        line[monitor.name] = .number(score)
        if studentApart { line["student_" + monitor.name] = .number(Evaluator.accuracy(learner.model, monitor.loader)) }
        line["elapsed_s"] = .number((Date().timeIntervalSince(runStart) * 1000).rounded() / 1000)
        line["images_per_s"] = .number((Double(state.seen) / max(state.trainSeconds, 1e-9)).rounded())
        let metrics = JSONValue.object(line)
        try dir.appendMetrics(metrics)
        try saveLatest(epoch: epoch + 1, metrics: metrics)
        if tracksBest && score > state.bestScore {
            state.bestScore = score
            state.bestEpoch = epoch + 1
            try saveCheckpoint(dir.bestPath, epoch: epoch + 1, metrics: metrics)
        }
        if config.output.keepEvery > 0 && (epoch + 1) % config.output.keepEvery == 0 {
            try saveCheckpoint(dir.epochPath(epoch + 1), epoch: epoch + 1, metrics: metrics)
        }
        let trainAcc = measured ? String(format: ", train acc %.2f%%", Double(state.correct) / labeledSeen * 100) : ""
        progress.endEpoch(
            String(
                format: "epoch %d/%d%@: loss %.4f%@, %@ %.2f%%, %.0f img/s", epoch + 1, totalEpochs,
                stage.map { " (\($0.name))" } ?? "", state.sums["train_loss", default: 0] / seen, trainAcc,
                monitor.name, score * 100, Double(state.seen) / max(state.trainSeconds, 1e-9)))
        state = ResumeState(
            nextEpoch: epoch + 1, bestScore: state.bestScore, bestEpoch: state.bestEpoch,
            elapsed: Date().timeIntervalSince(runStart))
        try state.save(to: dir.resumePath, learner: learner)
    }

    /// Saves a mid-epoch state after a signal and returns the error to stop with.
    func interrupted(epoch: Int, nextBatch: Int, signal: Int32) throws -> RunInterrupted {
        state.epoch = epoch
        state.batch = nextBatch
        state.elapsed = Date().timeIntervalSince(runStart)
        try saveLatest(epoch: epoch, metrics: .object([:]))
        try state.save(to: dir.resumePath, learner: learner)
        return RunInterrupted(
            description: "\(dir.path): stopped by signal \(signal) at epoch \(epoch + 1), batch \(nextBatch); "
                + "state saved, continue with --resume")
    }

    /// The error for a non-finite loss; also writes a `diverged` summary.json.
    /// Throws the divergence error (after writing summary.json) when `stop_on_nonfinite` is on and the
    /// step's total loss `value` is non-finite or has exploded (`DivergenceCheck`).
    func checkLoss(_ value: Double, epoch: Int, batch: Int, stage: String, terms: [LossTerm]) throws {
        guard config.stopOnNonfinite, let reason = divergence.check(value, stage: stage) else { return }
        throw diverged(epoch: epoch, batch: batch, terms: terms, reason: reason)
    }

    func diverged(epoch: Int, batch: Int, terms: [LossTerm], reason: String) -> RunError {
        let detail = terms.map { "\($0.name) \($0.value.item)" }.joined(separator: ", ")
        let kept =
            FileManager.default.fileExists(atPath: dir.latestPath)
            ? "the last good checkpoint is \(dir.latestPath) (epoch \(epoch))" : "no checkpoint was written (first epoch)"
        let summary: JSONValue = .object([
            "name": .string(config.name), "status": "diverged", "method": .string(methodName),
            "model": .string(learner.model.spec.name), "epoch": .int(epoch + 1),
            "batch": .int(batch + 1), "detail": .string(detail),
        ])
        try? dir.write(summary.formatted() + "\n", to: dir.summaryPath)
        return RunError(
            "\(dir.path): the loss \(reason) at epoch \(epoch + 1), batch \(batch + 1) (\(detail)); "
                + "training stopped and \(kept). Lower optimizer.lr or the loss weights.")
    }

    /// Writes latest (and latest-student when the student is kept apart).
    func saveLatest(epoch: Int, metrics: JSONValue) throws {
        try saveCheckpoint(dir.latestPath, epoch: epoch, metrics: metrics)
        if studentApart { try saveCheckpoint(dir.latestStudentPath, epoch: epoch, metrics: metrics, model: learner.model) }
    }

    /// Writes `model` (by default the evaluated network) with the run's metadata to `path`.
    func saveCheckpoint(_ path: String, epoch: Int, metrics: JSONValue, model: Model? = nil) throws {
        let model = model ?? evaluated
        var meta = CheckpointMetadata(
            spec: model.spec, dataset: data.dataset.rawValue,
            normalization: .init(mean: data.normalization.mean, std: data.normalization.std),
            epoch: epoch, metrics: metrics.formatted(.compact), config: config.resolvedJSON.formatted(.compact))
        meta.extra.merge(data.view.metadata) { _, view in view }  // what it reads, so eval and later runs apply it
        if model === learner.model, let q = learner.quantization {  // its int8 input ranges (QuantRanges.metadataKey)
            meta.extra.merge(q.metadata) { _, ranges in ranges }
        }
        do { try model.saveCheckpoint(to: path, metadata: meta.encode()) } catch {
            throw RunError("\(path): cannot write the checkpoint (\(error))")
        }
    }

    /// Writes and returns a study trial's summary.json (validation figures only, RunSummary+Study).
    func finishValidationOnly(totalEpochs: Int) throws -> JSONValue {
        let summary = RunSummary.validationOnly(
            recorder: self, totalEpochs: totalEpochs, wallTime: Date().timeIntervalSince(runStart))
        try dir.write(summary.formatted() + "\n", to: dir.summaryPath)
        return summary
    }

    /// Writes and returns summary.json.
    func finish(
        totalEpochs: Int, teachers: [Model], teacherLogits: ((Batch) -> Tensor?)? = nil, teacherTest: BatchLoader? = nil,
        robustness: JSONValue? = nil
    ) throws -> JSONValue {
        var summary = try RunSummary.make(
            recorder: self, totalEpochs: totalEpochs, teachers: teachers, teacherLogits: teacherLogits, teacherTest: teacherTest,
            wallTime: Date().timeIntervalSince(runStart))
        if let robustness, case .object(var s) = summary {
            s["robustness"] = robustness
            summary = .object(s)
        }
        try dir.write(summary.formatted() + "\n", to: dir.summaryPath)
        return summary
    }
}
