// TrialWorkers: where a study's steps run (beyond.md 4.3): in this process one at a time (-j 1, the
// default, bit-reproducible), or in `-j N` child processes `kdistill tune-step DIR TRIAL EPOCHS` with the
// cores split between them. A child leaves its outcome in DIR/steps/; the study records it.

import Foundation
import KDJSON
import KDTensor

/// Runs steps; the study asks for at most `slots` at once.
protocol TrialWorkers: AnyObject {
    /// How many steps may run side by side.
    var slots: Int { get }
    /// Starts `step` (its config is the study's trials/NNNN.json).
    func start(_ step: TrialStep) throws
    /// Blocks until at least one started step ended; returns the ended steps with their outcomes.
    func wait() throws -> [(TrialStep, StepOutcome)]
    /// A signal reached the study: stops every running step (each saves its resumable state) and returns.
    func stop()
}

/// One step at a time, in this process: `wait` trains the step started last.
final class InProcessWorkers: TrialWorkers {
    let files: StudyFiles
    let metric: StudyMetric
    let threads: Int?
    private var queued: TrialStep?

    init(files: StudyFiles, metric: StudyMetric, threads: Int?) {
        (self.files, self.metric, self.threads) = (files, metric, threads)
    }

    var slots: Int { 1 }
    func start(_ step: TrialStep) throws { queued = step }
    func stop() {}

    func wait() throws -> [(TrialStep, StepOutcome)] {
        guard let step = queued else { return [] }
        queued = nil
        return [(step, try TuneStep.run(files: files, step: step, metric: metric, threads: threads))]
    }
}

/// `-j N`: each step in a child process `EXECUTABLE tune-step DIR TRIAL EPOCHS --threads T`, its output
/// appended to the trial's kdistill.log.
final class ProcessWorkers: TrialWorkers {
    let files: StudyFiles
    let metric: StudyMetric
    let executable: String
    let slots: Int
    /// Threads per step: --threads, else the cores split between the slots.
    let threads: Int
    private var running: [(step: TrialStep, process: Process)] = []

    init(files: StudyFiles, metric: StudyMetric, executable: String, jobs: Int, threads: Int?) {
        (self.files, self.metric, self.executable, self.slots) = (files, metric, executable, jobs)
        self.threads = threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / jobs)
    }

    func start(_ step: TrialStep) throws {
        let log = files.trialLogPath(step.trial)
        try RunDirectory(files.trialRunDir(step.trial)).create()
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        guard let output = FileHandle(forWritingAtPath: log) else { throw RunError("\(log): cannot open for appending") }
        _ = try? output.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = TuneStep.arguments(files: files, step: step, metric: metric, threads: threads)
        (process.standardOutput, process.standardError) = (output, output)
        try? FileManager.default.removeItem(atPath: files.outcomePath(step))
        do { try process.run() } catch { throw RunError("\(executable): cannot start a trial worker (\(error))") }
        try? output.close()
        running.append((step, process))
    }

    func wait() throws -> [(TrialStep, StepOutcome)] {
        while true {
            let ended = running.filter { !$0.process.isRunning }
            if !ended.isEmpty {
                running.removeAll { !$0.process.isRunning }
                return try ended.map { (step, process) in
                    guard let outcome = try StepRunner.read(files.outcomePath(step)) else {
                        throw RunError(
                            "trial \(step.trial): its worker exited with status \(process.terminationStatus) before "
                                + "reaching \(step.epochs) epochs (see \(files.trialLogPath(step.trial)))")
                    }
                    return (step, outcome)
                }
            }
            if running.isEmpty { return [] }
            if Interruption.pending != nil { return [] }
            usleep(100_000)
        }
    }

    func stop() {
        for (_, process) in running where process.isRunning { process.terminate() }
        for (_, process) in running { process.waitUntilExit() }
        running.removeAll()
    }
}

/// `kdistill tune-step DIR TRIAL EPOCHS`: what a worker process runs.
public enum TuneStep {
    /// The worker's command line after the executable.
    static func arguments(files: StudyFiles, step: TrialStep, metric: StudyMetric, threads: Int) -> [String] {
        [
            "tune-step", files.dir, String(step.trial), String(step.epochs), "--rung", String(step.rung), "--objective",
            metric.rawValue, "--threads", String(threads),
        ]
    }

    /// Trains `step` of the study in `dir` in this process and leaves its outcome in DIR/steps/ (a worker).
    public static func runWorker(
        dir: String, trial: Int, epochs: Int, rung: Int, objective: String, threads: Int?
    ) throws -> JSONValue {
        guard let metric = StudyMetric(rawValue: objective), metric.isValidation else {
            throw RunInputError("--objective: expected a validation metric (val_acc, ...), found \(objective)")
        }
        let files = StudyFiles(dir: dir)
        let step = TrialStep(trial: trial, rung: rung, epochs: epochs)
        Interruption.install()
        let outcome = try run(files: files, step: step, metric: metric, threads: threads)
        try RunDirectory(files.stepsDir).create()
        try StepRunner.write(outcome, to: files.outcomePath(step))
        return outcome.json
    }

    /// Trains `step` from the trial's config file (trials/NNNN.json, written by the study).
    static func run(files: StudyFiles, step: TrialStep, metric: StudyMetric, threads: Int?) throws -> StepOutcome {
        let path = files.trialConfigPath(step.trial)
        guard FileManager.default.fileExists(atPath: path) else {
            throw RunInputError("\(path): no such trial config (expected a study directory made by kdistill tune)")
        }
        let config: ExperimentConfig
        let command: ConfigCommand
        do {
            guard let implied = try ConfigLoading.load(path, for: nil).impliedCommand else {
                return .invalid("\(path): expected a model (train-teacher) or a student and method (distill)")
            }
            (config, command) = (try ConfigLoading.load(path, for: implied), implied)
        } catch { return .invalid("\(error)") }
        return try StepRunner.run(config, command: command, toEpoch: step.epochs, metric: metric, threads: threads)
    }
}
