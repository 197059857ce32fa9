// StudySettings: a study's settings (beyond.md 4.1): the space file's `tune` block with the command-line
// flags on top, checked (objectives, constraints and the final selection rule: StudyObjectives).

import Foundation
import KDJSON

/// What `kdistill tune` was asked (flags; nil: the space file's `tune` block, then the default).
public struct TuneRequest: Sendable {
    public var config: String
    public var space: String
    public var out: String?
    public var trials: Int?
    public var scheduler: String?
    public var eta: Int?
    public var minEpochs: Int?
    public var maxEpochs: Int?
    public var budgetEpochs: Int?
    public var seed: Int?
    /// Retrain the best config for R epochs and evaluate the test set once (beyond.md 4.7).
    public var final = false
    /// A second final evaluation of the test set.
    public var force = false
    /// The trial --final retrains (default: final.select's rule, else the best value at R).
    public var pick: Int?
    /// Start again where a different study was.
    public var newStudy = false
    /// Threads per trial (default: the cores split between the -j slots locally, 1 on Slurm).
    public var threads: Int?
    /// Trials side by side (`-j`; default 1 locally, every ready step on Slurm).
    public var jobs: Int?
    /// Where the trials run.
    public var executor: ExecutorName = .local
    /// The kdistill binary workers run (`-j N > 1`, Slurm): the running one.
    public var executable: String?
    /// Extra `sbatch` options (`--sbatch`).
    public var sbatchOptions: [String] = []
    /// Seconds between two looks at Slurm's queue.
    public var pollSeconds = 5.0

    public init(config: String, space: String) { (self.config, self.space) = (config, space) }
}

/// `--executor`.
public enum ExecutorName: String, CaseIterable, Sendable {
    /// This machine: in this process with -j 1, else child processes.
    case local
    /// Slurm job arrays (sbatch), polled with squeue.
    case slurm
}

/// The resolved settings of a study.
public struct StudySettings: Equatable, Sendable {
    public var scheduler: SchedulerName
    public var eta: Int
    public var minEpochs: Int
    public var maxEpochs: Int
    public var trials: Int
    /// New trials stop once this many epochs were trained (nil: `trials` alone decides).
    public var budgetEpochs: Int?
    public var seed: Int
    /// The rung value, further costs, constraints and the final selection rule.
    public var objectives: StudyObjectives

    /// Flags over the space's `tune` block over the defaults (R: the base config's `epochs`); errors name the key.
    public init(_ request: TuneRequest, block: JSONObject, baseEpochs: Int, spaceSource: String) throws(ConfigError) {
        func fail(_ key: String, _ message: String) -> ConfigError {
            ConfigError(source: spaceSource, path: "tune." + key, message: message)
        }
        let known = [
            "scheduler", "eta", "min_epochs", "max_epochs", "trials", "budget_epochs", "seed", "objective", "objectives",
            "constraints", "final",
        ]
        for key in block.keys where !known.contains(key) {
            throw fail(
                key,
                ["jobs", "executor"].contains(key)
                    ? "a command-line choice (-j N, --executor local|slurm), not part of the study"
                    : "unknown key (expected one of \(known.joined(separator: ", ")))")
        }
        func int(_ key: String, _ flag: Int?, _ fallback: Int, min: Int) throws(ConfigError) -> Int {
            if let flag {
                if flag < min {
                    throw ConfigError(
                        source: "--" + key.replacingOccurrences(of: "_", with: "-"),
                        message: "expected an integer ≥ \(min), found \(flag)")
                }
                return flag
            }
            guard let v = block[key] else { return fallback }
            guard let i = v.intValue, i >= min else {
                throw fail(key, "expected an integer ≥ \(min), found \(v.formatted(.compact))")
            }
            return i
        }
        let name = request.scheduler ?? block["scheduler"]?.stringValue ?? "asha"
        guard let s = SchedulerName(rawValue: name) else {
            throw ConfigError(
                source: request.scheduler == nil ? spaceSource : "--scheduler",
                path: request.scheduler == nil ? "tune.scheduler" : "",
                message: "expected asha, sha or none, found \"\(name)\"")
        }
        scheduler = s
        eta = try int("eta", request.eta, 3, min: 2)
        minEpochs = try int("min_epochs", request.minEpochs, 1, min: 1)
        maxEpochs = try int("max_epochs", request.maxEpochs, baseEpochs, min: 1)
        trials = try int("trials", request.trials, 9, min: 1)
        seed = try int("seed", request.seed, 0, min: 0)
        budgetEpochs =
            request.budgetEpochs != nil || block["budget_epochs"] != nil
            ? try int("budget_epochs", request.budgetEpochs, 0, min: 1) : nil
        if minEpochs > maxEpochs { throw fail("min_epochs", "expected at most max_epochs (\(maxEpochs)), found \(minEpochs)") }
        objectives = try StudyObjectives(block, fail: fail)
    }

    /// The rungs trials stop at.
    public var rungs: Rungs {
        scheduler == .none ? Rungs(only: maxEpochs) : Rungs(minEpochs: minEpochs, maxEpochs: maxEpochs, eta: eta)
    }

    /// As study.json records it.
    public var json: JSONValue {
        [
            "scheduler": .string(scheduler.rawValue), "eta": .int(eta), "min_epochs": .int(minEpochs),
            "max_epochs": .int(maxEpochs), "trials": .int(trials), "seed": .int(seed), "objectives": objectives.json,
            "budget_epochs": budgetEpochs.map(JSONValue.int) ?? .null, "rungs": .array(rungs.epochs.map(JSONValue.int)),
        ]
    }

    /// Whether a study reproduces bit for bit given its seed: one trial at a time, or `sha`'s rung barriers and
    /// `none` without an epoch budget (`asha`, or a budget, decide in the order results arrive with several workers).
    public func deterministic(jobs: Int) -> Bool { jobs == 1 || (scheduler != .asha && budgetEpochs == nil) }
}
