// DistillationEndToEndTests: every registered method through `kdistill distill` on a real Fashion-MNIST
// subset (MethodTable), the census that no listed method lacks a case, `--method` overriding the
// config's method, and determinism of a distillation. The teachers are trained once per class.

import Foundation
import TestSupport
import XCTest

final class DistillationEndToEndTests: CLITestCase {
    struct Shared {
        let dir: String
        let teachers: SharedTeachers
        /// Names `kdistill methods` lists.
        let methods: [String]
    }

    nonisolated(unsafe) private static var shared: Result<Shared, Error>?

    override class func setUp() {
        super.setUp()
        guard (try? requireFashionMNIST()) != nil else { return }
        shared = Result {
            let dir = makeTemporaryDirectory()
            let runner = try runner()
            let methods = InfoCommandTests.methodList(try runner.run(["methods"]).stdout).map(\.name)
            let config = try json(FastConfig.object(["model": "lenet5", "output": ["keep_every": 1]]))
            try Data(config.utf8).write(to: URL(fileURLWithPath: dir + "/teacher.json"))
            for seed in [0, 1] {
                let r = try runner.run(
                    [
                        "--threads", "2", "train-teacher", "teacher.json", "--set", "seed=\(seed)",
                        "--set", "output.dir=t\(seed)",
                    ], directory: dir)
                guard r.exited(with: 0) else { throw CLIRunnerError("training the shared teacher failed: \(r)") }
            }
            let resnet = try runner.run(
                [
                    "--threads", "2", "train-teacher", "teacher.json", "--set", "model=resnet8", "--set", "epochs=1",
                    "--set", "output.dir=r8",
                ], directory: dir)
            guard resnet.exited(with: 0) else { throw CLIRunnerError("training the shared resnet8 teacher failed: \(resnet)") }
            return Shared(
                dir: dir,
                teachers: SharedTeachers(
                    first: dir + "/t0/best.safetensors", second: dir + "/t1/best.safetensors",
                    firstEpoch1: dir + "/t0/epoch-001.safetensors", resnet8: dir + "/r8/latest.safetensors"), methods: methods)
        }
    }

    override class func tearDown() {
        if case .success(let s)? = shared { try? FileManager.default.removeItem(atPath: s.dir) }
        shared = nil
        super.tearDown()
    }

    func requireShared() throws -> Shared {
        try Self.requireFashionMNIST()
        guard let shared = Self.shared else { throw XCTSkip("no shared teachers") }
        return try shared.get()
    }

    func testCensusEveryListedMethodHasACase() throws {
        let s = try requireShared()
        let covered = Set(MethodTable.cases(s.teachers).map(\.name))
        for name in s.methods {
            XCTAssertTrue(covered.contains(name), "method '\(name)' has no end-to-end case in MethodTable")
        }
        XCTAssertTrue(covered.contains("at+kd"), "the table keeps a combination")
    }

    func testEveryMethodTrainsAStudentEndToEnd() throws {
        let s = try requireShared()
        var absent: [String] = []
        for c in MethodTable.cases(s.teachers) {
            guard c.parts.allSatisfy(s.methods.contains) else {
                absent.append(c.name)
                continue
            }
            try check(c, teachers: s.teachers)
        }
        if !absent.isEmpty {
            print("DistillationEndToEndTests: not in this build, skipped: \(absent.joined(separator: ", "))")
        }
    }

    /// Runs case `c` and checks its summary, nested runs and metrics.
    func check(_ c: MethodCase, teachers: SharedTeachers) throws {
        let file = c.fileStem + ".json"
        try writeJSON(MethodTable.config(c, teachers: teachers), to: file)
        let r = try kdistill(["--threads", "2", "distill", file, "--json"], timeout: 180)
        guard r.exited(with: 0) else { return XCTFail("\(c.name): \(r)") }
        let runDir = "runs/" + String(file.dropLast(5))
        let summary = try readJSON(runDir + "/summary.json")
        XCTAssertEqual(
            try Self.parseObject(r.stdout, source: c.name) as NSDictionary, summary as NSDictionary, "\(c.name): --json")
        XCTAssertEqual(summary["status"] as? String, "completed", c.name)
        XCTAssertEqual(summary["method"] as? String, c.name)
        var students: [(run: String, summary: [String: Any])] = [(runDir, summary)]
        let nesting: (key: String, names: [String])?
        switch c.layout {
        case .single: nesting = nil
        case .members(let names): nesting = ("members", names)
        case .runs(let names): nesting = ("runs", names)
        }
        if let (key, names) = nesting {
            let nested = summary[key] as? [[String: Any]] ?? []
            XCTAssertEqual(nested.map { $0["run"] as? String ?? "?" }, names, "\(c.name): summary.json \(key)")
            students = zip(names, nested).map { (runDir + "/" + $0, $1) }
        }
        if c.name == "ban" {
            XCTAssertGreaterThan(summary["ensemble_test_acc"] as? Double ?? 0, 0.5, "\(c.name): ensemble of generations")
        }
        if c.name == "ensemble" { XCTAssertEqual((summary["teachers"] as? [String])?.count, 2, "\(c.name): both teachers") }
        if c.name == "mean-teacher" { try checkMeanTeacher(runDir: runDir, summary: summary) }
        if c.name == "noisy-student" {
            let pseudo = try readJSON(runDir + "/generation1/pseudo.json")
            XCTAssertEqual(pseudo["pool"] as? Int, 1500, "the 1,500 images data.labeled leaves without labels: \(pseudo)")
            XCTAssertGreaterThan(pseudo["pool_pseudo_label_accuracy"] as? Double ?? 0, 0.6, "\(pseudo)")
        }
        for (run, student) in students {
            XCTAssertGreaterThan(student["test_acc"] as? Double ?? 0, 0.5, "\(c.name) \(run) should learn: \(student)")
            try checkMetrics(c, runDir: run)
        }
    }

    /// metrics.jsonl of one student: a line per epoch, the required keys, the loss terms and stages.
    func checkMetrics(_ c: MethodCase, runDir: String) throws {
        let lines = try readJSONLines(runDir + "/metrics.jsonl")
        XCTAssertEqual(lines.map { $0["epoch"] as? Int ?? 0 }, Array(1...MethodTable.epochs), "\(c.name) \(runDir): epochs")
        for line in lines {
            // ft's paraphraser stage does not run the student: no train accuracy to report.
            let studentRan = line["stage"] as? String != "paraphraser"
            for key in FastConfig.metricKeys + ["test_acc"] where studentRan || key != "train_acc" {
                XCTAssertNotNil(line[key], "\(c.name) \(runDir): no \(key) in \(line)")
            }
            if !studentRan { XCTAssertNil(line["train_acc"], "\(c.name) \(runDir): train_acc without a student pass") }
        }
        let columns = Set(lines.flatMap(\.keys))
        for term in c.terms {
            XCTAssertTrue(columns.contains(term), "\(c.name) \(runDir): no '\(term)' column in \(columns.sorted())")
        }
        if let stages = c.stages {
            XCTAssertEqual(lines.map { $0["stage"] as? String ?? "-" }, stages, "\(c.name) \(runDir): stage column")
        }
        if c.name == "eskd" {
            XCTAssertEqual(
                lines.map { ($0["kd"] as? Double ?? -1) > 0 }, [true, true, false], "eskd: kd stops after kd_stop_epoch")
        }
    }

    /// mean-teacher keeps the weight average: test_acc and best are its, the student is saved apart with its
    /// own accuracy, and the consistency weight reaches w_max = 100 once the one-epoch ramp-up is over.
    func checkMeanTeacher(runDir: String, summary: [String: Any]) throws {
        XCTAssertTrue(exists(runDir + "/latest-student.safetensors"), "mean-teacher: the student is kept for resume")
        XCTAssertGreaterThan(summary["student_test_acc"] as? Double ?? 0, 0.5, "mean-teacher: the student learns too")
        XCTAssertNotEqual(summary["student_test_acc"] as? Double, summary["test_acc"] as? Double, "two networks")
        let lines = try readJSONLines(runDir + "/metrics.jsonl")
        XCTAssertEqual(lines.map { $0["cons_weight"] as? Double ?? -1 }.dropFirst(), [100, 100], "w_max after the ramp-up")
        XCTAssertLessThan(lines[0]["cons_weight"] as? Double ?? 100, 100, "ramping up in epoch 1")
        // Epoch 1 (63 batches of 32, the last of 16) is in the ramp-up: α_s = min(1 − 1/(s + 1), 0.99).
        let sizes = (1...63).map { $0 < 63 ? 32.0 : 16.0 }
        let alphas = (1...63).map { Swift.min(1 - 1 / Double($0 + 1), 0.99) }
        let mean = zip(alphas, sizes).map(*).reduce(0, +) / sizes.reduce(0, +)
        XCTAssertEqual(lines[0]["ema_decay"] as? Double ?? 0, mean, accuracy: 1e-9, "epoch 1's mean EMA decay")
    }

    func testMethodOnTheCommandLineReplacesTheConfigs() throws {
        let s = try requireShared()
        let method: [String: Any] = ["name": "kd", "T": 3, "ce_weight": 0.5]
        try writeJSON(
            FastConfig.object(epochs: 1, ["student": "lenet5", "teacher": s.teachers.first, "method": method]), to: "m.json")
        let r = try kdistill(["--threads", "2", "distill", "m.json", "--method", "sp", "--set", "data.limit=500"])
        XCTAssertTrue(r.exited(with: 0), "\(r)")
        XCTAssertEqual(try readJSON("runs/m/summary.json")["method"] as? String, "sp")
        let resolved = try XCTUnwrap(try readJSON("runs/m/config.json")["method"] as? [String: Any])
        XCTAssertEqual(resolved["name"] as? String, "sp")
        XCTAssertEqual(resolved["ce_weight"] as? Double, 1, "sp's own default, not the config's kd ce_weight 0.5")
        XCTAssertNil(resolved["T"], "a parameter sp does not declare is dropped")
        XCTAssertNotNil(try readJSONLines("runs/m/metrics.jsonl").first?["sp"])
    }

    func testDistillationIsDeterministic() throws {
        let s = try requireShared()
        var config = MethodTable.config(MethodCase("kd", ["cache_teacher": true], terms: []), teachers: s.teachers)
        config["epochs"] = 2
        try writeJSON(config, to: "d.json")
        for out in ["a", "b"] { try kdistillOK(["--threads", "2", "distill", "d.json", "--set", "output.dir=\(out)"]) }
        let (a, b) = (try readJSONLines("a/metrics.jsonl"), try readJSONLines("b/metrics.jsonl"))
        XCTAssertEqual(a.count, 2)
        XCTAssertEqual(a.map(Self.withoutTiming), b.map(Self.withoutTiming))
    }

    /// A feature method with `cache_teacher` (logits and the taps it reads computed once) trains as with
    /// the teacher run every step: the same loss terms and accuracies, to rounding.
    func testCachedTeacherTapsMatchTheLiveTeacher() throws {
        let s = try requireShared()
        for cache in [true, false] {
            let method: [String: Any] = ["name": "at+kd", "cache_teacher": cache]
            try writeJSON(
                FastConfig.object(epochs: 2, ["student": "lenet5", "teacher": s.teachers.first, "method": method]),
                to: "c.json")
            try kdistillOK(["--threads", "2", "distill", "c.json", "--set", "output.dir=cache-\(cache)"])
        }
        let (cached, live) = (try readJSONLines("cache-true/metrics.jsonl"), try readJSONLines("cache-false/metrics.jsonl"))
        XCTAssertEqual(cached.count, 2)
        XCTAssertEqual(cached.count, live.count)
        for (c, l) in zip(cached, live) {
            for key in ["train_loss", "at", "kd", "ce", "train_acc", "test_acc"] {
                let (a, b) = (try XCTUnwrap(c[key] as? Double, key), try XCTUnwrap(l[key] as? Double, key))
                XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b)), key)
            }
        }
    }
}
