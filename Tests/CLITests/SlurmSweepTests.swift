// The README's Slurm job array, byte for byte, on a real one-node cluster: two tiny kd runs as array
// tasks, each finished run completed, and the same array submitted again skips them (as the README says).
// Also the cluster itself: an array's tasks run in the submit directory and a failed task fails `sbatch --wait`.

import Foundation
import TestSupport
import XCTest

final class SlurmSweepTests: SlurmTestCase {
    /// The ```sh block of the README's sweeps section that holds `#SBATCH --array`, without its fences.
    static func readmeJobArray() throws -> String {
        let readme = try String(contentsOfFile: SlurmCluster.repository + "/README.md", encoding: .utf8)
        guard let section = readme.range(of: "\n### Sweeps and reports\n") else {
            throw CLIRunnerError("README.md: expected a '### Sweeps and reports' section, found none")
        }
        var rest = readme[section.upperBound...]
        if let next = rest.range(of: "\n### ") { rest = rest[..<next.lowerBound] }
        for block in rest.components(separatedBy: "```sh\n").dropFirst() {
            guard let end = block.range(of: "\n```") else { continue }
            let body = String(block[..<end.lowerBound]) + "\n"
            if body.contains("#SBATCH --array") { return body }
        }
        throw CLIRunnerError("README.md, Sweeps and reports: expected a ```sh block with '#SBATCH --array', found none")
    }

    /// The job id in sbatch's "Submitted batch job N".
    static func jobID(_ r: CLIResult) -> String? {
        r.stdoutLines.first { $0.hasPrefix("Submitted batch job ") }.map { String($0.dropFirst(20)) }
    }

    func text(_ path: String) -> String { (try? String(contentsOfFile: absolute(path), encoding: .utf8)) ?? "" }

    func testAnArrayRunsInTheSubmitDirectoryAndAFailedTaskFailsTheWait() throws {
        let cluster = try slurm()
        try write(
            "#!/bin/sh\n#SBATCH --array=0-2\npwd > out-$SLURM_ARRAY_TASK_ID\n[ $SLURM_ARRAY_TASK_ID != 1 ] || exit 3\n",
            to: "job.sh")
        let r = try cluster.run("sbatch", ["--wait", "--cpus-per-task=1", "job.sh"], in: dir, timeout: 120)
        // sbatch --wait exits with the largest exit status of the array's tasks.
        XCTAssertTrue(r.exited(with: 3), "\(r.status) \(r.stdout) \(r.stderr)\n\(cluster.logs)")
        let id = try XCTUnwrap(Self.jobID(r), r.stdout)
        let real = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        for task in 0...2 {
            XCTAssertEqual(
                URL(fileURLWithPath: text("out-\(task)").trimmingCharacters(in: .newlines)).resolvingSymlinksInPath().path, real)
            XCTAssertTrue(exists("slurm-\(id)_\(task).out"), "task \(task)'s output in the submit directory")
        }
        // What a poller sees (accounting is off: no sacct): squeue lists finished jobs only with `-t all`, for
        // MinJobAge (16 s) and up to one purge interval more; then squeue -j and scontrol show job exit 1.
        let queue = try cluster.run("squeue", ["-h", "-t", "all", "-j", id, "-o", "%i %T"], in: dir)
        XCTAssertTrue(queue.exited(with: 0), queue.stderr)
        XCTAssertEqual(
            Set(queue.stdoutLines), ["\(id)_0 COMPLETED", "\(id)_1 FAILED", "\(id)_2 COMPLETED"], queue.stdout)
        let show = try cluster.run("scontrol", ["show", "job", "-o", "\(id)_1"], in: dir)
        XCTAssertTrue(show.stdout.contains("JobState=FAILED") && show.stdout.contains("ExitCode=3:0"), show.stdout)
    }

    func testTheReadmeJobArrayRunsAndASecondSubmissionSkipsFinishedRuns() throws {
        try Self.requireFashionMNIST()
        let cluster = try slurm()
        let kdistill = try Self.runner().binary
        // The README's working directory: scripts/ and configs/ of this checkout, a small teacher where the
        // block expects it, and KDISTILL pointing at a wrapper that shrinks every training run.
        for name in ["scripts", "configs"] {
            try FileManager.default.createSymbolicLink(
                atPath: dir + "/" + name, withDestinationPath: SlurmCluster.repository + "/" + name)
        }
        let tiny = ["data.limit=1000", "data.test_limit=500", "epochs=1"]
        try kdistillOK(
            [
                "train-teacher", "configs/fashion-mnist/teacher-resnet20.json", "--set", "model=lenet5", "--set",
                "output.dir=runs/teacher-resnet20",
            ]
                + tiny.flatMap { ["--set", $0] })
        XCTAssertTrue(exists("runs/teacher-resnet20/latest.safetensors"))
        let sets = tiny.map { "--set \($0)" }.joined(separator: " ")
        let wrapper = try write(
            "#!/bin/sh\ncase $1 in distill) exec '\(kdistill)' \"$@\" \(sets) ;; esac\nexec '\(kdistill)' \"$@\"\n",
            to: "tiny-kdistill")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        try write(try Self.readmeJobArray(), to: "methods.sh")

        // Two tasks (kd, seeds 0 and 1), one core each: the command line overrides the block's #SBATCH lines.
        let options = ["--wait", "--array=0-1", "--cpus-per-task=1", "methods.sh"]
        let extra = ["KDISTILL": wrapper, "KDISTILL_CACHE": teacherCache]
        let first = try cluster.run("sbatch", options, in: dir, extra: extra, timeout: 300)
        let firstID = Self.jobID(first) ?? "?"
        let outputs = { (id: String) in (0...1).map { self.text("slurm-\(id)_\($0).out") }.joined(separator: "\n") }
        XCTAssertTrue(first.exited(with: 0), "\(first.status) \(first.stderr)\n\(outputs(firstID))\n\(cluster.logs)")
        let runs = ["runs/methods/method-kd__seed-0", "runs/methods/method-kd__seed-1"]
        for (task, run) in runs.enumerated() {
            XCTAssertEqual(try kdistillOK(["status", run]).stdout, "completed\n", text(run + "/kdistill.log"))
            XCTAssertTrue(text("slurm-\(firstID)_\(task).out").contains("run \(run)"), outputs(firstID))
        }
        let summaries = runs.map { absolute($0 + "/summary.json") }
        let written = try summaries.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }

        // The same array again: both runs are skipped, their files untouched.
        let second = try cluster.run("sbatch", options, in: dir, extra: extra, timeout: 300)
        let secondID = Self.jobID(second) ?? "?"
        XCTAssertTrue(second.exited(with: 0), "\(second.status) \(second.stderr)\n\(outputs(secondID))")
        for (task, run) in runs.enumerated() {
            XCTAssertEqual(text("slurm-\(secondID)_\(task).out"), "skip \(run) (completed)\n")
        }
        XCTAssertEqual(
            try summaries.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }, written)
    }
}
