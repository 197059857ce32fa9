// Tune: `kdistill tune CONFIG --space SPACE.json` (beyond.md 4): checks the base config and the space
// before any training, opens or resumes the study directory, then asks the scheduler for the next job
// while a worker is free: sample a trial, promote one, or finish one interrupted; then waits for a step to end.
// Every decision is an event written (and synced) before it is acted on, so a rerun replays and continues.

import Foundation
import KDJSON
import KDMethods
import KDSupport

/// Hyper-parameter studies over experiment configs.
public enum Tune {
    /// Runs (or continues) the study `request` describes; returns its summary (and the final run's, with `final`).
    public static func run(_ request: TuneRequest) throws -> JSONValue {
        let study = try Study(request)
        try RunDirectory(study.files.dir).create()
        guard let lock = try FileLock.attempt(study.files.lockPath, .exclusive) else {
            throw RunInputError("\(study.files.dir): another kdistill tune is running this study")
        }
        defer { lock.unlock() }
        do { return try run(study, request) } catch let stopped as RunInterrupted {
            throw RunInterrupted(
                description: stopped.description.replacingOccurrences(
                    of: "continue with --resume", with: "run the same kdistill tune command to continue"))
        }
    }

    static func run(_ study: Study, _ request: TuneRequest) throws -> JSONValue {
        let workers = try makeWorkers(study, request)
        var state = try study.open(jobs: workers.slots)
        let (settings, rungs) = (study.settings, study.settings.rungs)
        ProgressDisplay.log(
            "study \(study.files.dir): \(settings.scheduler.rawValue), rungs \(rungs.epochs.map(String.init).joined(separator: ", ")) "
                + "epochs, \(settings.trials) trials, seed \(settings.seed), \(request.executor.rawValue) -j \(workers.slots)"
                + (state.trials.isEmpty ? "" : " (resuming: \(state.trials.count) trials so far)"))
        Interruption.install()
        defer { workers.stop() }  // on an error, no worker is left running
        var running = Set<Int>()
        while true {
            if let signal = Interruption.pending {
                workers.stop()
                throw RunInterrupted(
                    description: "\(study.files.dir): stopped by signal \(signal); run the same kdistill tune command to continue"
                )
            }
            if running.count < workers.slots,
                let job = settings.scheduler.next(
                    state, rungs: rungs, eta: settings.eta, trials: settings.trials, budgetEpochs: settings.budgetEpochs,
                    running: running, costs: settings.objectives.costs.map(\.rawValue))
            {
                switch job {
                case .newTrial: try study.sample(into: &state)
                case .promote(let trial, let rung):
                    try study.record(
                        ["event": "promoted", "trial": .int(trial), "rung": .int(rung), "epochs": .int(rungs.epochs[rung])],
                        &state)
                case .resume: break
                }
                if let trial = state.trials.first(where: { $0.pending && !running.contains($0.number) }) {
                    try workers.start(try study.prepare(trial))
                    running.insert(trial.number)
                }
                continue
            }
            if running.isEmpty { break }
            for (step, outcome) in try workers.wait() {
                running.remove(step.trial)
                try study.finish(step, outcome, &state)
            }
            try study.writeOutputs(state)
        }
        guard let best = try study.writeOutputs(state) else {
            throw RunError(
                "\(study.files.dir): no trial reached \(settings.maxEpochs) epochs"
                    + (settings.objectives.subjectTo.isEmpty ? " (all failed?)" : " within final.select.subject_to")
                    + "; see leaderboard.json")
        }
        var chosen: JSONObject = [
            "trial": .int(best.number), "params": .object(best.params), "config": .string(study.files.bestPath),
            "run": .string(study.builder.runDirectory(best.number)),
        ]
        chosen[settings.objectives.metric.rawValue] = .number(best.values[rungs.top])
        for (name, cost) in best.costs { chosen[name] = .number(cost) }
        var result: JSONObject = [
            "study": .string(study.files.dir), "scheduler": .string(settings.scheduler.rawValue),
            "rung_epochs": .array(rungs.epochs.map(JSONValue.int)), "trials": .int(state.trials.count),
            "epochs_trained": .int(state.epochsTrained),
            "objective": .string(settings.objectives.metric.rawValue),
            "best": .object(chosen),
            "leaderboard": .string(study.files.leaderboardCSV),
        ]
        if request.final { result["final"] = try study.runFinal(best: best, force: request.force) }
        return .object(result)
    }

    /// In this process (-j 1, local), child processes (-j N), or Slurm job arrays.
    static func makeWorkers(_ study: Study, _ request: TuneRequest) throws -> TrialWorkers {
        let jobs = request.jobs ?? (request.executor == .slurm ? study.settings.trials : 1)
        let metric = study.settings.objectives.metric
        if request.executor == .local && jobs == 1 {
            return InProcessWorkers(files: study.files, metric: metric, threads: request.threads)
        }
        guard let executable = request.executable else {
            throw RunInputError("tune: -j \(jobs) and --executor slurm need the kdistill binary's path for the workers")
        }
        switch request.executor {
        case .local:
            return ProcessWorkers(
                files: study.files, metric: metric, executable: executable, jobs: jobs, threads: request.threads)
        case .slurm:
            return SlurmWorkers(
                files: study.files, metric: metric, executable: executable, jobs: jobs, threads: request.threads ?? 1,
                options: request.sbatchOptions, pollSeconds: request.pollSeconds)
        }
    }
}
