// Report test support: synthetic run directories in the layout kdistill writes (config.json,
// metrics.jsonl, summary.json; cohort members in subdirectories).

import Foundation
import KDJSON
import KDReport
import TestSupport
import XCTest

/// Writers of fake runs.
enum ReportFixtures {
    /// A fresh temporary directory.
    static func directory(_ tag: String) -> String { TinyDatasetFiles.temporaryDirectory(tag) }

    /// The resolved config of a run with `method` (and its parameter `T`), `seed` and `lr`.
    static func config(method: String, seed: Int, lr: Double = 0.1, dir: String, extra: JSONObject = [:]) -> JSONValue {
        var m: JSONObject = ["name": .string(method)]
        if method == "kd" { m["T"] = 4 }
        var o: JSONObject = [
            "name": "sweep", "seed": .int(seed), "description": .string("seed \(seed)"),
            "data": ["dataset": "fashion-mnist", "limit": 1000], "student": ["name": "lenet5", "dropout": 0],
            "method": .object(m), "optimizer": ["name": "sgd", "lr": .number(lr)], "epochs": 3,
            "output": ["dir": .string(dir), "keep_every": 0],
        ]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    /// metrics.jsonl lines with the given per-epoch test accuracies and losses `ce`, `kd`.
    static func metrics(_ accuracies: [Double], ce: [Double], kd: [Double]) -> [JSONValue] {
        accuracies.indices.map { e in
            [
                "epoch": .int(e + 1), "lr": 0.1, "train_loss": .number(ce[e] + kd[e]), "ce": .number(ce[e]), "kd": .number(kd[e]),
                "train_acc": 0.5, "test_acc": .number(accuracies[e]), "elapsed_s": .number(Double(e + 1)), "images_per_s": 1000,
            ]
        }
    }

    /// A summary.json object.
    static func summary(
        last: Double, best: Double, bestEpoch: Int = 3, parameters: Int = 61706, wall: Double = 90, run: String? = nil
    ) -> JSONValue {
        var s: JSONObject = ["name": "sweep", "status": "completed"]
        if let run { s["run"] = .string(run) }
        s["test_acc"] = .number(last)
        s["best_epoch"] = .int(bestEpoch)
        s["best_test_acc"] = .number(best)
        s["parameters"] = .int(parameters)
        s["wall_time_s"] = .number(wall)
        return .object(s)
    }

    /// Writes a run directory; `summary` nil leaves it unfinished.
    static func writeRun(_ dir: String, config: JSONValue, metrics: [JSONValue], summary: JSONValue?) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try (config.formatted() + "\n").write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        if !metrics.isEmpty {
            try metrics.map { $0.formatted(.compact) + "\n" }.joined().write(
                toFile: dir + "/metrics.jsonl", atomically: true, encoding: .utf8)
        }
        if let summary {
            try (summary.formatted() + "\n").write(toFile: dir + "/summary.json", atomically: true, encoding: .utf8)
        }
    }

    /// A sweep: kd × seeds 0-2 (last 0.80/0.82/0.84, best +0.01), at × seed 0 (0.90/0.91), one diverged kd run
    /// (seed 3), one unfinished kd run (seed 4), and a dml cohort × seeds 0-1 with members student1/student2.
    static func writeSweep(_ root: String) throws {
        let kdCurves: [[Double]] = [[0.5, 0.7, 0.80], [0.6, 0.75, 0.82], [0.55, 0.8, 0.84]]
        for seed in 0..<3 {
            let dir = root + "/method-kd__seed-\(seed)"
            try writeRun(
                dir, config: config(method: "kd", seed: seed, dir: dir),
                metrics: metrics(kdCurves[seed], ce: [1.0, 0.5, 0.25].map { $0 + Double(seed) * 0.1 }, kd: [0.4, 0.2, 0.1]),
                summary: summary(last: kdCurves[seed][2], best: kdCurves[seed][2] + 0.01, wall: 60 + Double(seed) * 30))
        }
        let at = root + "/method-at__seed-0"
        try writeRun(
            at, config: config(method: "at", seed: 0, dir: at),
            metrics: metrics([0.7, 0.85, 0.9], ce: [1, 0.6, 0.3], kd: [0.1, 0.1, 0.1]),
            summary: summary(last: 0.90, best: 0.91, wall: 45))
        let diverged = root + "/method-kd__seed-3"
        try writeRun(
            diverged, config: config(method: "kd", seed: 3, dir: diverged), metrics: [],
            summary: ["name": "sweep", "status": "diverged", "method": "kd", "epoch": 2, "batch": 7, "detail": "ce nan"])
        let unfinished = root + "/method-kd__seed-4"
        try writeRun(
            unfinished, config: config(method: "kd", seed: 4, dir: unfinished), metrics: metrics([0.5], ce: [1], kd: [0.4]),
            summary: nil)
        for seed in 0..<2 {
            let dir = root + "/method-dml__seed-\(seed)"
            var members: [JSONValue] = []
            for k in 1...2 {
                let acc = 0.70 + 0.02 * Double(k) + 0.01 * Double(seed)
                let member = summary(last: acc, best: acc, parameters: 1000 * k, wall: 100, run: "student\(k)")
                try writeRun(
                    dir + "/student\(k)", config: config(method: "dml", seed: seed, dir: dir),
                    metrics: metrics([acc - 0.1, acc], ce: [1, 0.5], kd: [0.2, 0.1]).map { line in
                        var o = line.objectValue ?? [:]
                        o["kd"] = nil
                        o["peer"] = 0.2
                        return .object(o)
                    }, summary: member)
                members.append(member)
            }
            try writeRun(
                dir, config: config(method: "dml", seed: seed, dir: dir), metrics: [],
                summary: [
                    "name": "sweep", "status": "completed", "method": "dml", "test_acc": members[1]["test_acc"] ?? nil,
                    "members": .array(members),
                ])
        }
    }
}
