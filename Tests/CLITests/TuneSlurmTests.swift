// TuneSlurmTests: `kdistill tune --executor slurm` on a real one-node Slurm cluster (scripts/slurm-cluster.sh):
// the study's steps go out as job arrays held at submission; the test cancels one task before it runs and
// releases the rest, the study resubmits the cancelled step, and the leaderboard equals a -j 1 study's.

import Foundation
import TestSupport
import XCTest

final class TuneSlurmTests: SlurmTestCase {
    func testStudyOnSlurmResubmitsALostTaskAndDecidesAsOneWorker() throws {
        try Self.requireFashionMNIST()
        let cluster = try slurm()
        try writeTuneStudy(scheduler: "sha")
        try linkFashionMNIST()
        try kdistillOK(["--threads", "2", "tune", "base.json", "--space", "space.json", "--out", "local"], timeout: 300)

        // The study on Slurm, every array submitted held (--hold) so the test decides when tasks run.
        let study = Process()
        study.executableURL = URL(fileURLWithPath: try Self.runner().binary)
        study.arguments = [
            "tune", "base.json", "--space", "space.json", "--out", "slurm", "--executor", "slurm", "--poll-seconds", "0.5",
            "--sbatch=--hold",
        ]
        study.currentDirectoryURL = URL(fileURLWithPath: dir)
        study.environment = cluster.environment.merging(["KDISTILL_CACHE": teacherCache]) { $1 }
        let log = absolute("tune.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: log))
        (study.standardOutput, study.standardError) = (handle, handle)
        try study.run()
        defer { if study.isRunning { study.terminate() } }

        // Cancel the first held task once (it leaves the queue without an outcome); release everything else.
        var cancelled: String?
        let deadline = Date().addingTimeInterval(240)
        while study.isRunning && Date() < deadline {
            let held = try cluster.run("squeue", ["-h", "-r", "-t", "PD", "-o", "%i"], in: dir).stdout
                .split(separator: "\n").map(String.init)
            for id in held {
                if cancelled == nil && id.hasSuffix("_0") {
                    _ = try cluster.run("scancel", [id], in: dir)
                    cancelled = id
                } else {
                    _ = try cluster.run("scontrol", ["release", id], in: dir)
                }
            }
            usleep(300_000)
        }
        study.waitUntilExit()
        let output = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(study.terminationStatus, 0, "\(output)\n\(cluster.logs)")
        XCTAssertNotNil(cancelled, "a held task was seen and cancelled: \(output)")
        XCTAssertTrue(output.contains("ended without an outcome"), output)
        XCTAssertGreaterThanOrEqual(
            output.components(separatedBy: "slurm: job array").count - 1, 3, "rung 0, the resubmission, rung 1: \(output)")
        XCTAssertEqual(
            try String(contentsOfFile: absolute("slurm/leaderboard.csv"), encoding: .utf8),
            try String(contentsOfFile: absolute("local/leaderboard.csv"), encoding: .utf8),
            "Slurm workers, a lost task and its resubmission decide exactly as one local worker")
        let scripts = try FileManager.default.contentsOfDirectory(atPath: absolute("slurm/slurm")).filter { $0.hasSuffix(".sh") }
        XCTAssertGreaterThanOrEqual(scripts.count, 3)
        let execution = try XCTUnwrap(try readJSON("slurm/study.json")["execution"] as? [String: Any])
        XCTAssertEqual(execution["executor"] as? String, "slurm")
    }
}
