// SlurmWorkers: `--executor slurm`: the steps ready together go to Slurm as one job array (`sbatch --array`,
// one task per step running `kdistill tune-step`); the study polls the outcome files and `squeue`, and a task
// that left the queue without an outcome is resubmitted (twice at most; `scontrol show job` says why).

import Foundation
import KDJSON

/// Runs steps as Slurm array tasks on a shared file system (the study directory and the working directory).
final class SlurmWorkers: TrialWorkers {
    let files: StudyFiles
    let metric: StudyMetric
    let executable: String
    let slots: Int
    /// Threads (and `--cpus-per-task`) per task.
    let threads: Int
    /// Extra `sbatch` options (`--sbatch --partition=cpu`).
    let options: [String]
    let pollSeconds: Double
    /// Submissions of one step before the study gives up on it.
    let attempts = 3

    private var waiting: [TrialStep] = []
    private var submitted: [(job: String, task: Int, step: TrialStep)] = []
    private var tries: [String: Int] = [:]
    private var arrays = 0

    init(
        files: StudyFiles, metric: StudyMetric, executable: String, jobs: Int, threads: Int, options: [String],
        pollSeconds: Double
    ) {
        (self.files, self.metric, self.executable, self.slots, self.threads) = (files, metric, executable, jobs, threads)
        (self.options, self.pollSeconds) = (options, pollSeconds)
    }

    /// Queues `step`; the queued steps are submitted together as one array by the next `wait`.
    func start(_ step: TrialStep) throws { waiting.append(step) }

    func wait() throws -> [(TrialStep, StepOutcome)] {
        if !waiting.isEmpty {
            try submit(waiting)
            waiting.removeAll()
        }
        while !submitted.isEmpty {
            var ended: [(TrialStep, StepOutcome)] = []
            var crashed: [TrialStep] = []
            let queued = try queuedTasks()
            for entry in submitted {
                if let outcome = try StepRunner.read(files.outcomePath(entry.step)) {
                    ended.append((entry.step, outcome))
                } else if let queued, !queued.contains("\(entry.job)_\(entry.task)") {
                    // Left the queue without an outcome: read again (the file may have landed meanwhile).
                    if let outcome = try StepRunner.read(files.outcomePath(entry.step)) {
                        ended.append((entry.step, outcome))
                    } else {
                        crashed.append(entry.step)
                        ProgressDisplay.log(
                            "slurm: job \(entry.job)_\(entry.task) (trial \(entry.step.trial)) ended without an outcome: "
                                + jobState("\(entry.job)_\(entry.task)"))
                    }
                }
            }
            let finished = Set(ended.map(\.0.name) + crashed.map(\.name))
            submitted.removeAll { finished.contains($0.step.name) }
            if !crashed.isEmpty { try submit(crashed) }
            if !ended.isEmpty || Interruption.pending != nil { return ended }
            usleep(useconds_t(pollSeconds * 1_000_000))
        }
        return []
    }

    /// Cancels the study's jobs (Slurm sends SIGTERM: each task saves its resumable state).
    func stop() {
        let jobs = Set(submitted.map(\.job))
        if !jobs.isEmpty { _ = try? Self.run("scancel", Array(jobs)) }
        submitted.removeAll()
    }

    /// Writes the array script for `steps` and submits it.
    func submit(_ steps: [TrialStep]) throws {
        for step in steps {
            tries[step.name, default: 0] += 1
            if tries[step.name]! > attempts {
                throw RunError(
                    "trial \(step.trial): \(attempts) Slurm tasks ended without reaching \(step.epochs) epochs "
                        + "(see \(files.trialLogPath(step.trial)) and \(files.slurmDir)/)")
            }
            try? FileManager.default.removeItem(atPath: files.outcomePath(step))
            try RunDirectory(files.trialRunDir(step.trial)).create()
        }
        try RunDirectory(files.slurmDir).create()
        arrays += 1
        let name = String(format: "array-%04d-%d", arrays, getpid())
        let script = files.slurmDir + "/" + name + ".sh"
        try files.write(scriptText(steps, name: name), to: script)
        let out = try Self.run("sbatch", ["--parsable"] + options + [script])
        guard out.status == 0, let job = out.text.split(separator: "\n").last?.split(separator: ";").first.map(String.init),
            !job.isEmpty, job.allSatisfy(\.isNumber)
        else {
            throw RunError(
                "sbatch \(script): failed (status \(out.status)): \(out.text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        ProgressDisplay.log(
            "slurm: job array \(job) with \(steps.count) task\(steps.count == 1 ? "" : "s") (trials "
                + steps.map { String($0.trial) }.joined(separator: ", ") + ")")
        submitted += steps.enumerated().map { (job, $0.offset, $0.element) }
    }

    /// The array script: one case per task, each `kdistill tune-step` appending to its trial's log.
    func scriptText(_ steps: [TrialStep], name: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        var lines = [
            "#!/bin/sh", "# kdistill tune: study \(files.dir), \(steps.count) step(s); written by the study, submitted once.",
            "#SBATCH --job-name=kdistill-tune", "#SBATCH --array=0-\(steps.count - 1)", "#SBATCH --cpus-per-task=\(threads)",
            "#SBATCH --output=\(files.slurmDir)/\(name)_%a.out", "cd \(Self.quote(cwd)) || exit 1",
            "case \"$SLURM_ARRAY_TASK_ID\" in",
        ]
        for (task, step) in steps.enumerated() {
            let command = ([executable] + TuneStep.arguments(files: files, step: step, metric: metric, threads: threads)).map(
                Self.quote)
            lines.append(
                "\(task)) exec \(command.joined(separator: " ")) >> \(Self.quote(files.trialLogPath(step.trial))) 2>&1 ;;")
        }
        lines += ["*) echo \"no step for task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;", "esac", ""]
        return lines.joined(separator: "\n")
    }

    /// `JOB_TASK` ids still queued or running; nil when squeue cannot answer now (asked again at the next poll).
    func queuedTasks() throws -> Set<String>? {
        let jobs = Set(submitted.map(\.job))
        if jobs.isEmpty { return [] }
        let out = try Self.run("squeue", ["-h", "-r", "-o", "%i", "-j", jobs.sorted().joined(separator: ",")])
        if out.status != 0 { return out.text.contains("Invalid job id") ? [] : nil }
        return Set(out.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// `JobState=FAILED ExitCode=2:0` from `scontrol show job` (or why it cannot say).
    func jobState(_ id: String) -> String {
        guard let out = try? Self.run("scontrol", ["show", "job", id]), out.status == 0 else {
            return "scontrol no longer knows the job"
        }
        let fields = out.text.split(whereSeparator: { $0 == " " || $0 == "\n" })
            .filter { $0.hasPrefix("JobState=") || $0.hasPrefix("ExitCode=") || $0.hasPrefix("Reason=") }
        return fields.joined(separator: " ")
    }

    /// Runs a Slurm client from PATH; returns its exit status and output (stdout and stderr).
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        (process.standardOutput, process.standardError) = (pipe, pipe)
        do { try process.run() } catch { throw RunError("\(tool): cannot run (\(error)); is Slurm installed?") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 {
            throw RunError("\(tool): not found on PATH; --executor slurm needs Slurm's clients")
        }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `'text'` for sh.
    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
