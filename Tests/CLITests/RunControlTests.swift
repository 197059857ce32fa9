// RunControlTests: SIGINT/SIGTERM save a resumable state (exit 128+N) and `--resume` ends with the metrics
// of an uninterrupted run; same seed and threads give the same metrics; a diverging run stops with one
// line (non-finite or exploded loss), exit 1, `status: diverged`, keeping the last good checkpoint if any.

import Foundation
import TestSupport
import XCTest

final class RunControlTests: CLITestCase {
    /// Writes the lenet5 teacher config `t.json` (`epochs` epochs).
    func teacherConfig(epochs: Int) throws {
        try writeJSON(FastConfig.object(epochs: epochs, ["model": "lenet5"]), to: "t.json")
    }

    func testSIGINTAfterTheFirstEpochThenResumeMatchesAnUninterruptedRun() throws {
        try Self.requireFashionMNIST()
        try teacherConfig(epochs: 4)
        let base = ["--threads", "2", "train-teacher", "t.json"]
        let stopped = try kdistill(
            base + ["--set", "output.dir=run"], signal: SIGINT, when: .stderrLine(containing: "epoch 1/4"))
        XCTAssertTrue(stopped.signalSent, "\(stopped)")
        XCTAssertTrue(stopped.exited(with: 130), "SIGINT: exit status 128 + 2 after saving: \(stopped)")
        let message = stopped.stderrLines.filter { $0.hasPrefix("kdistill: ") }
        XCTAssertEqual(message.count, 1, "\(stopped)")
        XCTAssertTrue(message.first?.contains("--resume") ?? false, "\(stopped)")
        XCTAssertTrue(exists("run/resume.safetensors"), "a resume state is saved")
        XCTAssertTrue(exists("run/latest.safetensors"))
        XCTAssertFalse(exists("run/summary.json"), "an interrupted run has no summary")
        let partial = try readJSONLines("run/metrics.jsonl")
        XCTAssertTrue((1..<4).contains(partial.count), "interrupted after the first epoch: \(partial.count) lines")

        let resumed = try kdistill(base + ["--set", "output.dir=run", "--resume"])
        XCTAssertTrue(resumed.exited(with: 0), "\(resumed)")
        XCTAssertTrue(resumed.stderr.contains("resuming at epoch"), "\(resumed)")
        try kdistillOK(base + ["--set", "output.dir=whole"])
        let (after, whole) = (try readJSONLines("run/metrics.jsonl"), try readJSONLines("whole/metrics.jsonl"))
        XCTAssertEqual(after.map { $0["epoch"] as? Int ?? 0 }, [1, 2, 3, 4], "one line per epoch after the resume")
        XCTAssertEqual(after.map(Self.withoutTiming), whole.map(Self.withoutTiming), "resumed metrics equal uninterrupted ones")
        let (a, b) = (try readJSON("run/summary.json"), try readJSON("whole/summary.json"))
        XCTAssertEqual(a["test_acc"] as? Double, b["test_acc"] as? Double)
        XCTAssertEqual(a["best_epoch"] as? Int, b["best_epoch"] as? Int)
    }

    /// ft across its stage boundary: interrupted in or just after the paraphraser stage (the student does not
    /// run there), resumed, it ends with the metrics of an uninterrupted run (paraphraser and translator
    /// restored from the resume state, a fresh optimizer at the boundary).
    func testInterruptedFTResumesAcrossItsStagesLikeAnUninterruptedRun() throws {
        try Self.requireFashionMNIST()
        let teacher = try quickTeacher()
        try writeJSON(
            FastConfig.object(
                epochs: 2,
                ["student": "lenet5", "teacher": teacher, "method": ["name": "ft", "paraphraser_epochs": 2]]),
            to: "ft.json")
        let base = ["--threads", "2", "distill", "ft.json"]
        let stopped = try kdistill(
            base + ["--set", "output.dir=run"], signal: SIGINT, when: .stderrLine(containing: "epoch 1/4"))
        XCTAssertTrue(stopped.exited(with: 130), "\(stopped)")
        let partial = try readJSONLines("run/metrics.jsonl")
        XCTAssertTrue((1..<4).contains(partial.count), "interrupted after the first epoch: \(partial.count) lines")
        let resumed = try kdistill(base + ["--set", "output.dir=run", "--resume"])
        XCTAssertTrue(resumed.exited(with: 0), "\(resumed)")
        try kdistillOK(base + ["--set", "output.dir=whole"])
        let (after, whole) = (try readJSONLines("run/metrics.jsonl"), try readJSONLines("whole/metrics.jsonl"))
        XCTAssertEqual(after.map { $0["stage"] as? String ?? "-" }, ["paraphraser", "paraphraser", "train", "train"])
        XCTAssertEqual(after.map(Self.withoutTiming), whole.map(Self.withoutTiming), "resumed metrics equal uninterrupted ones")
        XCTAssertNil(after[0]["train_acc"], "the paraphraser stage reports no train accuracy")
        XCTAssertNotNil(after[0]["ft_rec"])
        XCTAssertEqual(after[0]["test_acc"] as? Double, after[1]["test_acc"] as? Double, "the student is untouched in stage 1")
    }

    func testSIGTERMStopsWith143AndResumeCompletes() throws {
        try Self.requireFashionMNIST()
        try teacherConfig(epochs: 3)
        let base = ["--threads", "2", "train-teacher", "t.json", "--set", "data.limit=1000"]
        let stopped = try kdistill(base, signal: SIGTERM, when: .stderrLine(containing: "epoch 2/3"))
        XCTAssertTrue(stopped.exited(with: 143), "SIGTERM: exit status 128 + 15: \(stopped)")
        XCTAssertTrue(exists("runs/t/resume.safetensors"))
        let resumed = try kdistill(base + ["--resume", "--json"])
        XCTAssertTrue(resumed.exited(with: 0), "\(resumed)")
        XCTAssertEqual(try readJSONLines("runs/t/metrics.jsonl").map { $0["epoch"] as? Int ?? 0 }, [1, 2, 3])
        XCTAssertEqual(try Self.parseObject(resumed.stdout, source: "--json")["status"] as? String, "completed")
    }

    func testSameSeedAndThreadsGiveIdenticalMetrics() throws {
        try Self.requireFashionMNIST()
        try teacherConfig(epochs: 2)
        for out in ["a", "b"] { try kdistillOK(["--threads", "2", "train-teacher", "t.json", "--set", "output.dir=\(out)"]) }
        let (a, b) = (try readJSONLines("a/metrics.jsonl"), try readJSONLines("b/metrics.jsonl"))
        XCTAssertEqual(a.count, 2)
        XCTAssertEqual(a.map(Self.withoutTiming), b.map(Self.withoutTiming))
    }

    /// crd keeps memory banks and normalisers across steps and draws its negatives per step: a run stopped
    /// mid-training and resumed ends with the metrics of an uninterrupted one (the banks are resume state).
    func testInterruptedCRDRunResumesLikeAnUninterruptedOne() throws {
        try Self.requireFashionMNIST()
        let teacher = try quickTeacher()
        let method: [String: Any] = ["name": "crd", "negatives": 256]
        try writeJSON(FastConfig.object(epochs: 3, ["student": "lenet5", "teacher": teacher, "method": method]), to: "crd.json")
        let (_, whole) = try interruptResumeAndRunWhole(["--threads", "2", "distill", "crd.json"])
        XCTAssertNotNil(whole.last?["crd"], "metrics carry the crd term")
        XCTAssertEqual(
            try readJSON("run/summary.json")["test_acc"] as? Double, try readJSON("whole/summary.json")["test_acc"] as? Double)
        // The final resume states hold the banks, normalisers, heads and optimizer state: their tensor bytes
        // (everything after the safetensors header, whose metadata carries wall times) are identical.
        let (resumed, uninterrupted) = (try tensorBytes("run/resume.safetensors"), try tensorBytes("whole/resume.safetensors"))
        XCTAssertGreaterThan(resumed.count, 2 * 2000 * 128 * 4, "both 2,000 x 128 banks are in the resume state")
        XCTAssertTrue(resumed == uninterrupted, "the resumed run's banks and state are bit-identical")
    }

    /// mean-teacher keeps the weight average (its parameters, BN statistics and step count) across steps and
    /// draws a second view and noise per step: a stopped and resumed run ends as an uninterrupted one.
    func testInterruptedMeanTeacherRunResumesLikeAnUninterruptedOne() throws {
        try Self.requireFashionMNIST()
        let method: [String: Any] = ["name": "mean-teacher", "rampup_epochs": 1]
        let data: [String: Any] = ["dataset": "fashion-mnist", "limit": 2000, "test_limit": 1000, "augment": ["crop_padding": 2]]
        try writeJSON(FastConfig.object(epochs: 3, ["student": "lenet5", "method": method, "data": data]), to: "mt.json")
        let (_, whole) = try interruptResumeAndRunWhole(["--threads", "2", "distill", "mt.json"])
        XCTAssertNotNil(whole.last?["student_test_acc"], "metrics carry the student's accuracy")
        for file in ["resume", "latest", "latest-student", "best"] {
            let (resumed, uninterrupted) = (
                try tensorBytes("run/\(file).safetensors"), try tensorBytes("whole/\(file).safetensors")
            )
            XCTAssertTrue(resumed == uninterrupted, "\(file).safetensors: the resumed run's tensors are bit-identical")
        }
    }

    /// A KD config from `teacher` with SGD at `lr` and kd_weight 10, plus `extra`.
    func divergingConfig(teacher: String, lr: Double, _ extra: [String: Any] = [:]) throws {
        try writeJSON(
            FastConfig.object(
                epochs: 3,
                [
                    "student": "lenet5", "teacher": teacher, "method": ["name": "kd", "kd_weight": 10],
                    "optimizer": ["name": "sgd", "lr": lr],
                ].merging(extra) { $1 }), to: "kd.json")
    }

    /// Exit status 1 and exactly one `kdistill: ` line, about a non-finite or exploded loss.
    func assertDiverged(_ r: CLIResult, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        XCTAssertTrue(r.exited(with: 1), "a diverged run exits 1: \(r)", file: file, line: line)
        let messages = r.stderrLines.filter { $0.hasPrefix("kdistill: ") }
        XCTAssertEqual(messages.count, 1, "\(r)", file: file, line: line)
        let reason = messages.first.map { $0.contains("became non-finite") || $0.contains("exploded to") } ?? false
        XCTAssertTrue(reason, "\(r)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), "\(r)", file: file, line: line)
        let summary = try readJSON("runs/kd/summary.json")
        XCTAssertEqual(summary["status"] as? String, "diverged", file: file, line: line)
        return messages.first ?? ""
    }

    func testDivergenceInTheFirstEpochStopsWithoutACheckpoint() throws {
        try Self.requireFashionMNIST()
        try divergingConfig(teacher: try quickTeacher(), lr: 50)
        let message = try assertDiverged(try kdistill(["--threads", "2", "distill", "kd.json"]))
        XCTAssertTrue(message.contains("no checkpoint"), message)
        XCTAssertTrue(message.contains("exploded to"), "lr 50 blows the loss up past 10^6 x its start, still finite: \(message)")
        XCTAssertFalse(exists("runs/kd/latest.safetensors"))
    }

    func testDivergenceLaterKeepsTheLastGoodCheckpoint() throws {
        try Self.requireFashionMNIST()
        // Epoch 1 at lr 0.001, then a million times more: finite first, non-finite in epoch 2.
        try divergingConfig(
            teacher: try quickTeacher(), lr: 0.001,
            ["schedule": ["name": "step", "step_size": 1, "gamma": 1_000_000]])
        let message = try assertDiverged(try kdistill(["--threads", "2", "distill", "kd.json"]))
        XCTAssertTrue(message.contains("runs/kd/latest.safetensors"), message)
        XCTAssertEqual(try readJSON("runs/kd/summary.json")["epoch"] as? Int, 2)
        XCTAssertEqual(try readJSONLines("runs/kd/metrics.jsonl").count, 1)
        let eval = try kdistillOK(["--threads", "2", "eval", "runs/kd/latest.safetensors", "--limit", "200", "--json"])
        XCTAssertEqual(try Self.parseObject(eval.stdout, source: "eval")["epoch"] as? Int, 1, "the kept checkpoint is epoch 1's")
    }
}
