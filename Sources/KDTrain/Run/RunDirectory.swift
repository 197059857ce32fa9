// RunDirectory: the files of one run (formats.md): config.json, metrics.jsonl, latest/best/epoch-N
// checkpoints, resume.safetensors and summary.json, all written atomically.

import Foundation
import KDNN
import KDReport
import KDSupport

/// A failure writing or reading run files (exit status 1: the inputs were fine, the run could not proceed).
public struct RunError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
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
    /// The checkpoint kept for epoch `epoch` (1-based) when `keep_every` is set.
    public func epochPath(_ epoch: Int) -> String { path + String(format: "/epoch-%03d.safetensors", epoch) }
    /// A sub-run (cohort member, pipeline stage).
    public func child(_ name: String) -> RunDirectory { RunDirectory(path + "/" + name) }

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
