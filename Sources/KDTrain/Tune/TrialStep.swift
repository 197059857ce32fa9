// TrialStep: one unit of a study's work, "train trial i to e_k epochs", and how it ended (StepOutcome),
// run by StepRunner in whichever process executes it (this one, a `-j N` child, a Slurm array task).

import Foundation
import KDJSON
import KDMethods
import KDNN
import KDSupport

/// Train trial `trial` towards rung `rung`, i.e. to `epochs` of its R epochs.
public struct TrialStep: Equatable, Sendable {
    public let trial: Int
    public let rung: Int
    public let epochs: Int

    public init(trial: Int, rung: Int, epochs: Int) { (self.trial, self.rung, self.epochs) = (trial, rung, epochs) }

    /// `0007-e3`: names the step's outcome file and log lines.
    public var name: String { String(format: "%04d-e%d", trial, epochs) }
}

/// How a step ended.
public enum StepOutcome: Equatable, Sendable {
    /// Validation accuracy after the rung's last epoch.
    case value(Double)
    /// The loss went non-finite (the run wrote a diverged summary).
    case failed(String)
    /// The sampled config's networks or method cannot be built (e.g. a method needing taps the student lacks).
    case invalid(String)

    /// As the outcome file holds it.
    var json: JSONValue {
        switch self {
        case .value(let v): return ["outcome": "value", "value": .number(v)]
        case .failed(let reason): return ["outcome": "failed", "reason": .string(reason)]
        case .invalid(let reason): return ["outcome": "invalid", "reason": .string(reason)]
        }
    }

    /// Reads an outcome file's JSON; nil when it is not one.
    init?(json: JSONValue) {
        switch json["outcome"]?.stringValue {
        case "value": guard let v = json["value"]?.doubleValue else { return nil }; self = .value(v)
        case "failed": self = .failed(json["reason"]?.stringValue ?? "")
        case "invalid": self = .invalid(json["reason"]?.stringValue ?? "")
        default: return nil
        }
    }
}

/// Trains one step in this process.
enum StepRunner {
    /// Trains (or resumes) `config`'s run to `epochs` of its R epochs, leaving a resume state and never
    /// loading the test set, and measures `metric` there; errors building the networks or method come back
    /// as `.invalid`.
    static func run(
        _ config: ExperimentConfig, command: ConfigCommand, toEpoch epochs: Int, metric: StudyMetric, threads: Int?
    ) throws -> StepOutcome {
        ConfigLoading.applyThreads(config, override: threads)
        var limit = RunLimit(epochsLeft: config.epochs - epochs)
        if metric != .valAcc { limit.measures = [metric] }
        let dir = RunDirectory(config.output.dir)
        let trainedBefore = !dir.readMetrics().isEmpty
        let result: JSONValue
        do {
            switch command {
            case .distill: result = try Distill.run(config, resume: true, limit: limit)
            case .trainTeacher: result = try TrainTeacher.run(config, resume: true, limit: limit)
            }
        } catch let error as RunError {
            if (try? dir.state()) == .diverged { return .failed(error.description) }
            throw error
        } catch let error where isInvalidBuild(error) && !trainedBefore && dir.readMetrics().isEmpty {
            return .invalid("\(error)")
        }
        if metric != .valAcc {
            guard let value = result["measures"]?[metric.rawValue]?.doubleValue else {
                throw RunInputError(
                    "\(dir.path): trained past epoch \(epochs) already, so its \(metric.rawValue) there cannot be measured again")
            }
            return .value(value)
        }
        // The value after epoch e exactly, also when the run had gone further (a step repeated by hand).
        let lines = dir.readMetrics()
        let line = result["stop_epoch"]?.intValue.flatMap { e in lines.last { $0["epoch"]?.intValue == e } } ?? lines.last
        guard let value = line?["val_acc"]?.doubleValue else {
            throw RunError("\(dir.metricsPath): expected a val_acc after epoch \(epochs), found none")
        }
        return .value(value)
    }

    /// Errors building a sampled config's networks or method (not data or checkpoint files, which every draw shares).
    static func isInvalidBuild(_ error: Error) -> Bool {
        error is MethodError || error is ModelError || error is ParamError || error is ConfigError
    }

    /// Writes `outcome` atomically to `path` (what a worker process leaves for the study).
    static func write(_ outcome: StepOutcome, to path: String) throws {
        do { try AtomicFile.write(Array((outcome.json.formatted(.compact) + "\n").utf8), to: path) } catch {
            throw RunError("\(path): cannot write the step's outcome (\(error))")
        }
    }

    /// The outcome a worker left at `path`; nil when there is none yet.
    static func read(_ path: String) throws -> StepOutcome? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        guard let json = try? JSONValue(parsing: text), let outcome = StepOutcome(json: json) else {
            throw RunError("\(path): expected a step outcome ({\"outcome\": \"value\", ...}), found \(text.prefix(60))")
        }
        return outcome
    }
}
