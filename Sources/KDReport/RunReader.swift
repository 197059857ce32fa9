// RunReader: finds and reads run directories for `kdistill report`. A directory with config.json is
// a run; one without is searched one level down (`report runs/sweep`). Cohort members (`members`)
// and pipeline runs (`runs`, plus the ensemble) become one record each. Unfinished runs are skipped.

import Foundation
import KDJSON
import KDSupport

/// Records read from run directories, and what was left out and why.
public struct RunSet {
    /// Finished (completed or diverged) networks, in the order found.
    public var records: [RunRecord] = []
    /// Directories not reported: (path, reason).
    public var skipped: [(path: String, reason: String)] = []

    /// An empty set.
    public init() {}
}

/// Reads run directories.
public enum RunReader {
    /// Reads every run under `paths` (run directories, or directories holding runs).
    public static func read(_ paths: [String]) -> RunSet {
        var set = RunSet()
        for path in paths {
            let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            if FileIO.isFile(trimmed + "/config.json") {
                readRun(trimmed, into: &set)
                continue
            }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: trimmed, isDirectory: &isDir), isDir.boolValue else {
                set.skipped.append((trimmed, "no such directory"))
                continue
            }
            let children = ((try? FileManager.default.contentsOfDirectory(atPath: trimmed)) ?? []).sorted()
                .map { trimmed + "/" + $0 }.filter { FileIO.isFile($0 + "/config.json") }
            if children.isEmpty {
                set.skipped.append((trimmed, "not a run directory (no config.json in it or its subdirectories)"))
            }
            for child in children { readRun(child, into: &set) }
        }
        return set
    }

    /// Reads one experiment directory (holding config.json).
    static func readRun(_ dir: String, into set: inout RunSet) {
        let config: JSONValue
        switch RunFiles.readJSON(dir + "/config.json") {
        case .success(let value): config = value
        case .failure(let reason): set.skipped.append((dir, reason.description)); return
        }
        let summaryPath = dir + "/summary.json"
        guard FileIO.isFile(summaryPath) else {
            let diverged = divergedChildren(dir, config: config)
            if diverged.isEmpty { set.skipped.append((dir, "unfinished (no summary.json)")) }
            set.records += diverged
            return
        }
        let summary: JSONValue
        switch RunFiles.readJSON(summaryPath) {
        case .success(let value): summary = value
        case .failure(let reason): set.skipped.append((dir, reason.description)); return
        }
        guard let status = summary["status"]?.stringValue.flatMap(RunStatus.init(rawValue:)) else {
            set.skipped.append(
                (
                    dir,
                    "summary.json: expected status completed or diverged, found "
                        + (summary["status"]?.formatted(.compact) ?? "none")
                ))
            return
        }
        let nested = summary["members"]?.arrayValue ?? summary["runs"]?.arrayValue
        guard let nested, status == .completed else {
            set.records.append(
                RunRecord(
                    path: dir, experimentPath: dir, member: nil, config: config, summary: summary,
                    metrics: readMetrics(dir), status: status))
            return
        }
        for (k, entry) in nested.enumerated() {
            let name = entry["run"]?.stringValue ?? "run\(k + 1)"
            let childStatus = entry["status"]?.stringValue.flatMap(RunStatus.init(rawValue:)) ?? .completed
            set.records.append(
                RunRecord(
                    path: dir + "/" + name, experimentPath: dir, member: name, config: config, summary: entry,
                    metrics: readMetrics(dir + "/" + name), status: childStatus))
        }
        if let ensemble = summary["ensemble_test_acc"] {
            set.records.append(
                RunRecord(
                    path: dir, experimentPath: dir, member: "ensemble", config: config,
                    summary: .object(["test_acc": ensemble]), metrics: [], status: .completed))
        }
    }

    /// Members or pipeline runs of an experiment without summary.json whose own summary says diverged.
    static func divergedChildren(_ dir: String, config: JSONValue) -> [RunRecord] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        return names.compactMap { name in
            guard case .success(let s) = RunFiles.readJSON(dir + "/" + name + "/summary.json"),
                s["status"]?.stringValue == "diverged"
            else { return nil }
            return RunRecord(
                path: dir + "/" + name, experimentPath: dir, member: name, config: config, summary: s,
                metrics: readMetrics(dir + "/" + name), status: .diverged)
        }
    }

    /// metrics.jsonl lines of `dir` (an unreadable line is left out).
    static func readMetrics(_ dir: String) -> [JSONValue] { RunFiles.readJSONLines(dir + "/metrics.jsonl") }
}
