// RunRecord: one trained network as `kdistill report` sees it: where its files are, the resolved
// config of the experiment it belongs to, its summary.json and its metrics.jsonl lines.

import Foundation
import KDJSON

/// How a run ended.
public enum RunStatus: String, Sendable {
    /// summary.json written normally.
    case completed
    /// Stopped on a non-finite loss (summary.json with `"status": "diverged"`).
    case diverged
}

/// The results of one network read from a run directory.
public struct RunRecord {
    /// The network's own directory (a cohort member's or pipeline run's subdirectory for nested runs).
    public var path: String
    /// The experiment's directory, the one holding config.json (equal to `path` for single runs).
    public var experimentPath: String
    /// Cohort member or pipeline run (`student1`, `gen2`, `ensemble`); nil for a single run.
    public var member: String?
    /// The experiment's resolved config (config.json).
    public var config: JSONValue
    /// This network's summary.json (for a nested run: its entry in the experiment's summary).
    public var summary: JSONValue
    /// metrics.jsonl, one object per epoch.
    public var metrics: [JSONValue]
    /// Completed or diverged.
    public var status: RunStatus

    /// A record from already-read values.
    public init(
        path: String, experimentPath: String, member: String?, config: JSONValue, summary: JSONValue,
        metrics: [JSONValue], status: RunStatus
    ) {
        (self.path, self.experimentPath, self.member) = (path, experimentPath, member)
        (self.config, self.summary, self.metrics, self.status) = (config, summary, metrics, status)
    }

    /// `seed` of the config (or the summary).
    public var seed: Int? { config["seed"]?.intValue ?? summary["seed"]?.intValue }
    /// Test accuracy after the last epoch (summary `test_acc`), a fraction.
    public var lastAccuracy: Double? { summary["test_acc"]?.doubleValue }
    /// Test accuracy of the best checkpoint (summary `best_test_acc`), a fraction.
    public var bestAccuracy: Double? { summary["best_test_acc"]?.doubleValue }
    /// Parameter count of the network.
    public var parameters: Int? { summary["parameters"]?.intValue }
    /// Kernel threads the run used (summary `threads`).
    public var threads: Int? { summary["threads"]?.intValue }
    /// Wall time of the run in seconds.
    public var wallTime: Double? { summary["wall_time_s"]?.doubleValue }

    /// The value (compact JSON) of a report key: a dot path of the config (`optimizer.lr`), or `model`
    /// (the trained network: a teacher's `model`, a student's `student`) or `method` (`labels` for
    /// teacher training), which read the same for teacher and distillation runs.
    public func reportValue(_ key: String) -> String? {
        switch key {
        case "model":
            let name =
                summary["model"]?.stringValue ?? config["student"]?["name"]?.stringValue ?? config["model"]?["name"]?.stringValue
            return name.map { JSONValue.string($0).formatted(.compact) }
        case "method":
            let name = config["method"]?["name"]?.stringValue ?? summary["method"]?.stringValue ?? "labels"
            return JSONValue.string(name).formatted(.compact)
        default:
            return RunGrouping.flatten(config).first { $0.path == key }?.value
        }
    }

    /// The accuracy metric of the epoch lines: `test_acc`, or `val_acc` when a validation split was monitored.
    public var curveMetric: String? {
        for key in ["test_acc", "val_acc"] where metrics.contains(where: { $0[key]?.doubleValue != nil }) { return key }
        return nil
    }

    /// (epoch, value) of a metrics.jsonl key, in file order.
    public func series(_ key: String) -> [(epoch: Double, value: Double)] {
        metrics.compactMap { line in
            guard let e = line["epoch"]?.doubleValue, let v = line[key]?.doubleValue, v.isFinite else { return nil }
            return (e, v)
        }
    }

    /// Keys of metrics.jsonl that are loss terms (`train_loss`, `ce`, `kd`, ...), in first-seen order.
    public var lossTerms: [String] {
        var names: [String] = []
        for line in metrics {
            guard let o = line.objectValue else { continue }
            for (key, value) in o where !RunRecord.nonLossKeys.contains(key) && value.doubleValue != nil && !names.contains(key) {
                names.append(key)
            }
        }
        return names
    }

    /// metrics.jsonl keys that are not loss terms.
    static let nonLossKeys: Set<String> = [
        "epoch", "stage", "lr", "train_acc", "test_acc", "val_acc", "elapsed_s", "images_per_s",
    ]
}
