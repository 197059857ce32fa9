// SlurmCluster: a real one-node Slurm cluster for the tests, run by scripts/slurm-cluster.sh (its own
// slurm.conf, munged, slurmctld and slurmd in one directory), and SlurmTestCase, whose tests share one.

import Foundation
import TestSupport
import XCTest

/// A running one-node Slurm cluster (scripts/slurm-cluster.sh). Slurm's clients, and the jobs they submit
/// (sbatch passes its environment on), find it through `environment`, which holds `SLURM_CONF`.
///
///     let cluster = try SlurmCluster.start()      // XCTSkip where Slurm is not installed or we are not root
///     defer { cluster.stop() }
///     let r = try cluster.run("sbatch", ["--wait", "job.sh"], in: dir)
final class SlurmCluster {
    /// The checkout these tests belong to (scripts/, configs/).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// The script that starts and stops the daemons.
    static var script: String { repository + "/scripts/slurm-cluster.sh" }

    /// The cluster's directory (`SLURM_CLUSTER_DIR`): slurm.conf, env, the daemons' logs.
    let directory: String
    /// The variables clients need, read from `directory/env`: `SLURM_CONF`. Pass them to
    /// `CLITestCase.kdistill(_:environment:)` for a kdistill that submits jobs itself.
    let variables: [String: String]
    /// This process's environment plus `variables`: the environment of sbatch, squeue, scontrol and scancel.
    var environment: [String: String] { ProcessInfo.processInfo.environment.merging(variables) { $1 } }
    /// Whether `start()` brought the daemons up; false when they were already up (then `stop()` leaves them).
    let started: Bool
    private var stopped = false

    private init(directory: String, variables: [String: String], started: Bool) {
        (self.directory, self.variables, self.started) = (directory, variables, started)
    }

    /// Starts the cluster in `directory` (default: `SLURM_CLUSTER_DIR`, else /tmp/kdistill-slurm), or joins
    /// the one already up there; returns once its node is idle (a second or two). Throws `XCTSkip` with the
    /// script's one-line reason where Slurm cannot run here, and an error with the daemons' logs if it fails.
    static func start(directory: String? = nil) throws -> SlurmCluster {
        let dir = directory ?? ProcessInfo.processInfo.environment["SLURM_CLUSTER_DIR"] ?? "/tmp/kdistill-slurm"
        let shell = CLIRunner(binary: "/bin/sh")
        let env = ["SLURM_CLUSTER_DIR": dir]
        let wasUp = try shell.run([script, "status"], environment: env, timeout: 30).exited(with: 0)
        let r = try shell.run([script, "start"], environment: env, timeout: 90)
        if r.exited(with: 77) { throw XCTSkip(r.stderrLines.last ?? "slurm-cluster.sh: Slurm cannot run here") }
        guard r.exited(with: 0) else {
            throw CLIRunnerError("slurm-cluster.sh start: exit status \(r.status)\n\(r.stdout)\(r.stderr)")
        }
        // DIR/env: KEY=VALUE lines.
        let text = try String(contentsOfFile: dir + "/env", encoding: .utf8)
        var variables: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard variables["SLURM_CONF"] != nil else { throw CLIRunnerError("\(dir)/env: expected SLURM_CONF=..., found \(text)") }
        return SlurmCluster(directory: dir, variables: variables, started: !wasUp)
    }

    /// Stops the daemons if `start()` started them (cancelling the cluster's jobs first); later calls do nothing.
    func stop() {
        guard started, !stopped else { return }
        stopped = true
        _ = try? CLIRunner(binary: "/bin/sh").run(
            [Self.script, "stop"], environment: ["SLURM_CLUSTER_DIR": directory], timeout: 60)
    }

    /// Runs the Slurm client `command` (sbatch, squeue, scontrol, ...; looked up on PATH) with `arguments`
    /// in `directory`, with `environment` plus `extra`, killing it after `timeout` seconds.
    func run(
        _ command: String, _ arguments: [String], in directory: String, extra: [String: String] = [:],
        timeout: Double = 300
    ) throws -> CLIResult {
        try CLIRunner(binary: "/usr/bin/env").run(
            [command] + arguments, directory: directory, environment: environment.merging(extra) { $1 }, timeout: timeout)
    }

    /// The daemons' log files, for failure messages.
    var logs: String {
        ["slurmctld.log", "slurmd.log"].map { name in
            "--- \(directory)/\(name)\n" + ((try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }
}

/// A test class whose tests share one Slurm cluster: the first `slurm()` of the class starts it (or makes
/// every test of the class skip with the script's reason), and the class's tearDown stops it after the last
/// test, whether the tests passed or failed. Tests get CLITestCase's private directory and helpers.
class SlurmTestCase: CLITestCase {
    /// One start per test class (a failure to start is kept, so the class's other tests fail fast).
    private static var clusters: [ObjectIdentifier: Result<SlurmCluster, Error>] = [:]

    /// This class's cluster, started on first use.
    func slurm() throws -> SlurmCluster {
        let key = ObjectIdentifier(Self.self)
        if let known = Self.clusters[key] { return try known.get() }
        let result = Result { try SlurmCluster.start() }
        Self.clusters[key] = result
        return try result.get()
    }

    override class func tearDown() {
        if let cluster = try? clusters.removeValue(forKey: ObjectIdentifier(self))?.get() { cluster.stop() }
        super.tearDown()
    }
}
