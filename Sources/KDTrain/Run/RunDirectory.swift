// RunDirectory: the files of one run: config.json, metrics.jsonl, latest/best/epoch-N checkpoints,
// resume.safetensors and summary.json, all written atomically; and the one rule for "a finished run".

import Foundation
import KDNN
import KDReport
import KDSupport

/// A failure writing or reading run files (exit status 1: the inputs were fine, the run could not proceed).
public struct RunError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where a run directory stands (`kdistill status`): the one definition of a finished run.
public enum RunState: String, Sendable {
    /// summary.json says `"status": "completed"`.
    case completed
    /// Its summary.json, or a cohort member's or pipeline run's one level down, says `"status": "diverged"`:
    /// finished too (the loss blew up; running it again gives the same result).
    case diverged
    /// config.json is there but no summary says it finished: interrupted, or still running.
    case unfinished
    /// No config.json: no run has started there.
    case absent

    /// Whether the run is over (completed or diverged): sweeps skip it, a teacher may be taken from it.
    public var isFinished: Bool { self == .completed || self == .diverged }
}

/// Paths and writers for a run directory.
public struct RunDirectory {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var configPath: String { path + "/config.json" }
    public var metricsPath: String { path + "/metrics.jsonl" }
    public var summaryPath: String { path + "/summary.json" }
    public var latestPath: String { path + "/latest.safetensors" }
    public var bestPath: String { path + "/best.safetensors" }
    public var resumePath: String { path + "/resume.safetensors" }
    /// Which training images kept their labels (`data.labeled` runs).
    public var labeledPath: String { path + "/labeled.json" }
    /// The long-tailed subset of a `data.imbalance` run (ImbalanceSelection).
    public var imbalancePath: String { path + "/imbalance.json" }
    /// The student of a run whose kept model is another network (mean-teacher's weight average).
    public var latestStudentPath: String { path + "/latest-student.safetensors" }
    /// The checkpoint kept for epoch `epoch` (1-based) when `keep_every` is set.
    public func epochPath(_ epoch: Int) -> String { path + String(format: "/epoch-%03d.safetensors", epoch) }
    /// A sub-run (cohort member, pipeline stage).
    public func child(_ name: String) -> RunDirectory { RunDirectory(path + "/" + name) }

    /// The run's state. Throws when a summary.json cannot be read or has no known status.
    public func state() throws -> RunState {
        let fm = FileManager.default
        if let status = try summaryStatus(summaryPath) { return status }
        let children = (try? fm.contentsOfDirectory(atPath: path).sorted()) ?? []
        for name in children where try summaryStatus(child(name).summaryPath) == .diverged { return .diverged }
        return fm.fileExists(atPath: configPath) ? .unfinished : .absent
    }

    /// The status a summary.json records: completed or diverged, nil without one; anything else is an error.
    private func summaryStatus(_ file: String) throws -> RunState? {
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8), let summary = try? JSONValue(parsing: text) else {
            throw RunError("\(file): cannot read the run summary (expected JSON)")
        }
        switch summary["status"]?.stringValue {
        case "completed": return .completed
        case "diverged": return .diverged
        case let other:
            let found = other.map { "\"\($0)\"" } ?? "none"
            throw RunError("\(file): expected \"status\": \"completed\" or \"diverged\", found \(found)")
        }
    }

    /// Creates the directory (and parents).
    public func create() throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw RunError("\(path): cannot create the run directory (\(error.localizedDescription))")
        }
    }

    /// Writes `text` to `file` atomically.
    public func write(_ text: String, to file: String) throws {
        do { try AtomicFile.write(Array(text.utf8), to: file) } catch { throw RunError("\(file): cannot write (\(error))") }
    }

    /// Appends one line to metrics.jsonl.
    public func appendMetrics(_ line: JSONValue) throws {
        let text = line.formatted(.compact) + "\n"
        if !FileManager.default.fileExists(atPath: metricsPath) {
            try write(text, to: metricsPath)
            return
        }
        guard let handle = FileHandle(forWritingAtPath: metricsPath) else {
            throw RunError("\(metricsPath): cannot open for appending")
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
        } catch { throw RunError("\(metricsPath): cannot append (\(error))") }
    }

    /// Keeps only the metrics lines of epochs ≤ `epoch` (after a resume).
    public func truncateMetrics(afterEpoch epoch: Int) throws {
        guard let text = try? String(contentsOfFile: metricsPath, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            guard let value = try? JSONValue(parsing: String(line)), let e = value["epoch"]?.intValue else { return false }
            return e <= epoch
        }
        try write(kept.map { $0 + "\n" }.joined(), to: metricsPath)
    }

    /// The metrics lines written so far.
    public func readMetrics() -> [JSONValue] {
        RunFiles.readJSONLines(metricsPath)
    }
}
