// StudyFiles: the files of a study directory (beyond.md 4.1, 4.6): study.json (settings, space, base-config
// hash), events.jsonl (append-only, fsynced before the action it announces), leaderboard.json|csv|md, curves.svg,
// pareto.json|svg, index.html, latency.json, best.json,
// trials/NNNN/ (ordinary run directories) with trials/NNNN.json (their configs), steps/ (workers' outcomes),
// slurm/ (job scripts and logs) and final/.

import Foundation
import KDJSON
import KDSupport

/// Paths and readers/writers of a study directory.
struct StudyFiles {
    let dir: String

    var studyPath: String { dir + "/study.json" }
    var eventsPath: String { dir + "/events.jsonl" }
    var leaderboardJSON: String { dir + "/leaderboard.json" }
    var leaderboardCSV: String { dir + "/leaderboard.csv" }
    var leaderboardMarkdown: String { dir + "/leaderboard.md" }
    var curvesPath: String { dir + "/curves.svg" }
    var bestPath: String { dir + "/best.json" }
    var paretoJSON: String { dir + "/pareto.json" }
    var paretoSVG: String { dir + "/pareto.svg" }
    var pagePath: String { dir + "/index.html" }
    var finalDir: String { dir + "/final" }
    var trialsDir: String { dir + "/trials" }
    var lockPath: String { dir + "/.lock" }
    var stepsDir: String { dir + "/steps" }
    var slurmDir: String { dir + "/slurm" }

    /// Trial `trial`'s run directory: `DIR/trials/0007`.
    func trialRunDir(_ trial: Int) -> String { trialsDir + "/" + String(format: "%04d", trial) }
    /// Trial `trial`'s config, ready to run: `DIR/trials/0007.json`.
    func trialConfigPath(_ trial: Int) -> String { trialRunDir(trial) + ".json" }
    /// Where a worker's output goes: the trial run's kdistill.log.
    func trialLogPath(_ trial: Int) -> String { trialRunDir(trial) + "/kdistill.log" }
    /// Where a worker leaves how `step` ended: `DIR/steps/0007-e3.json`.
    func outcomePath(_ step: TrialStep) -> String { stepsDir + "/" + step.name + ".json" }

    /// Writes `text` atomically to `path`.
    func write(_ text: String, to path: String) throws {
        do { try AtomicFile.write(Array(text.utf8), to: path) } catch { throw RunError("\(path): cannot write (\(error))") }
    }

    /// study.json, nil when there is none.
    func readStudy() throws -> JSONValue? {
        guard FileManager.default.fileExists(atPath: studyPath) else { return nil }
        guard let text = try? String(contentsOfFile: studyPath, encoding: .utf8), let json = try? JSONValue(parsing: text) else {
            throw RunError("\(studyPath): cannot read the study (expected JSON)")
        }
        return json
    }

    /// Appends one event and syncs it to disk before returning (the action follows).
    func append(_ event: JSONObject) throws {
        let text = JSONValue.object(event).formatted(.compact) + "\n"
        if !FileManager.default.fileExists(atPath: eventsPath) {
            FileManager.default.createFile(atPath: eventsPath, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: eventsPath) else {
            throw RunError("\(eventsPath): cannot open for appending")
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
        } catch { throw RunError("\(eventsPath): cannot append (\(error))") }
    }

    /// The events so far; a torn last line (a crash while writing it) is dropped, a bad line elsewhere is an error.
    func readEvents() throws -> [JSONValue] {
        guard let text = try? String(contentsOfFile: eventsPath, encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        var events: [JSONValue] = []
        for (n, line) in lines.enumerated() {
            guard let event = try? JSONValue(parsing: String(line)), event.objectValue != nil else {
                if n == lines.count - 1 && !text.hasSuffix("\n") { break }
                throw RunError("\(eventsPath):\(n + 1): expected one JSON object per line")
            }
            events.append(event)
        }
        return events
    }

    /// Removes a previous study's files (`--new-study`).
    func removeStudy() throws {
        for path in [
            studyPath, eventsPath, leaderboardJSON, leaderboardCSV, leaderboardMarkdown, curvesPath, bestPath, trialsDir,
            paretoJSON, paretoSVG, pagePath, dir + "/latency.json",
            finalDir, stepsDir, slurmDir,
        ]
        where FileManager.default.fileExists(atPath: path) {
            do { try FileManager.default.removeItem(atPath: path) } catch { throw RunError("\(path): cannot remove (\(error))") }
        }
    }

    /// A stable hash of a JSON value (its compact text).
    static func hash(_ value: JSONValue) -> String {
        var h = ContentHash()
        h.update(value.formatted(.compact))
        return h.hex
    }
}
