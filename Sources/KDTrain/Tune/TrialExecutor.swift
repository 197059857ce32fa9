// TrialExecutor: trains a trial to a rung. `local` runs it in this process, one trial at a time (-j 1):
// the ordinary runner (Distill / TrainTeacher) under a RunLimit that stops after e_k of R epochs with a
// resumable state and keeps the test set out; the rung's value is validation accuracy after epoch e_k.

import Foundation
import KDJSON

/// How a trial's step ended.
enum TrialOutcome: Equatable {
    /// Validation accuracy after the rung's last epoch.
    case value(Double)
    /// The loss went non-finite (the run wrote a diverged summary).
    case failed(String)
}

/// Runs trials in this process.
struct LocalExecutor {
    let command: ConfigCommand
    let threads: Int?

    /// Trains (or resumes) `config`'s run to `epochs` of its R epochs; its directory keeps a resume state.
    func train(_ config: ExperimentConfig, toEpoch epochs: Int) throws -> TrialOutcome {
        ConfigLoading.applyThreads(config, override: threads)
        let limit = RunLimit(epochsLeft: config.epochs - epochs)
        let dir = RunDirectory(config.output.dir)
        do {
            switch command {
            case .distill: _ = try Distill.run(config, resume: true, limit: limit)
            case .trainTeacher: _ = try TrainTeacher.run(config, resume: true, limit: limit)
            }
        } catch let error as RunError {
            if (try? dir.state()) == .diverged { return .failed(error.description) }
            throw error
        }
        guard let line = dir.readMetrics().last, let value = line["val_acc"]?.doubleValue else {
            throw RunError("\(dir.metricsPath): expected a val_acc after epoch \(epochs), found none")
        }
        return .value(value)
    }
}
