// RobustnessEndToEndTests: attacks from the command line on real Fashion-MNIST: `eval --robustness`
// (robust ≤ clean, PGD ≤ FGSM, repeatable, transfer attacks), Madry training (`adversarial`), and the
// robust distillation methods ard and rslad, each with the `evaluation` block in summary.json.

import Foundation
import TestSupport
import XCTest

final class RobustnessEndToEndTests: CLITestCase {
    /// A clean lenet5 teacher on 2,000 images (3 epochs).
    func trainTeacher() throws {
        try writeJSON(FastConfig.object(["model": "lenet5"]), to: "teacher.json")
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json"])
    }

    /// The attack entries of a robustness block, by name and ε.
    func accuracies(_ block: [String: Any]) -> [String: Double] {
        var out: [String: Double] = [:]
        for case let a as [String: Any] in block["attacks"] as? [Any] ?? [] {
            out["\(a["name"] ?? "")@\(a["eps"] ?? "")"] = a["accuracy"] as? Double
        }
        return out
    }

    func testEvalRobustnessOnATrainedModel() throws {
        try Self.requireFashionMNIST()
        try trainTeacher()
        let args = [
            "--threads", "2", "eval", "runs/teacher/best.safetensors", "--limit", "300", "--attack", "fgsm,pgd", "--eps",
            "0.05,0.1",
            "--steps", "5", "--json",
        ]
        let report = try Self.parseObject(try kdistillOK(args).stdout, source: "stdout")
        let block = try XCTUnwrap(report["robustness"] as? [String: Any])
        let clean = try XCTUnwrap(block["clean"] as? Double)
        XCTAssertEqual(clean, report["top1"] as? Double ?? -1, accuracy: 1e-9, "clean accuracy is the evaluation's")
        let acc = accuracies(block)
        XCTAssertEqual(acc.count, 4, "\(block)")
        for eps in ["0.05", "0.1"] {
            let (fgsm, pgd) = (try XCTUnwrap(acc["fgsm@\(eps)"]), try XCTUnwrap(acc["pgd5@\(eps)"]))
            XCTAssertLessThanOrEqual(fgsm, clean)
            XCTAssertLessThanOrEqual(pgd, fgsm, "PGD at least as strong as FGSM at ε \(eps)")
        }
        XCTAssertLessThan(acc["pgd5@0.1"]!, clean - 0.2, "an undefended model loses most of its accuracy at ε 0.1")
        XCTAssertLessThanOrEqual(acc["pgd5@0.1"]!, acc["pgd5@0.05"]!)
        // The same seed repeats the attack exactly; the text form shows the table.
        let again = try Self.parseObject(try kdistillOK(args).stdout, source: "stdout")
        XCTAssertEqual(accuracies(try XCTUnwrap(again["robustness"] as? [String: Any])), acc)
        let text = try kdistillOK(Array(args.dropLast())).stdout
        XCTAssertTrue(text.contains("pgd5"), text)
        // A transfer attack crafted on the model itself equals the white-box one.
        let transfer = try Self.parseObject(
            try kdistillOK(args + ["--transfer-from", "runs/teacher/best.safetensors"]).stdout, source: "stdout")
        let tb = try XCTUnwrap(transfer["robustness"] as? [String: Any])
        XCTAssertEqual(accuracies(tb), acc)
        XCTAssertEqual(tb["transfer_from"] as? String, "runs/teacher/best.safetensors")
        // Corruptions: the clean accuracy again, every pair, mCA and rCA; CE against a baseline run's file.
        let cArgs = [
            "--threads", "2", "eval", "runs/teacher/best.safetensors", "--limit", "300", "--corruptions",
            "gaussian_noise,contrast",
            "--severities", "1,5", "--json",
        ]
        let corrupted = try Self.parseObject(try kdistillOK(cArgs).stdout, source: "stdout")
        let cb = try XCTUnwrap((corrupted["robustness"] as? [String: Any])?["corruptions"] as? [String: Any])
        XCTAssertEqual(cb["table"] as? String, "mnist-c", "the default table of 1x28x28 images")
        XCTAssertEqual(cb["clean"] as? Double ?? -1, clean, accuracy: 1e-9)
        let per = try XCTUnwrap(cb["corruptions"] as? [String: [String: Any]])
        XCTAssertEqual(per.keys.sorted(), ["contrast", "gaussian_noise"])
        let noise = try XCTUnwrap(per["gaussian_noise"]?["severities"] as? [String: Double])
        XCTAssertEqual(noise.keys.sorted(), ["1", "5"])
        XCTAssertLessThanOrEqual(noise["5"]!, noise["1"]!, "severity 5 hurts at least as much as 1")
        let means = per.values.compactMap { $0["mean"] as? Double }
        XCTAssertEqual(cb["mca"] as? Double ?? -1, means.reduce(0, +) / 2, accuracy: 1e-9)
        XCTAssertEqual(cb["rca"] as? Double ?? -1, (cb["mca"] as? Double ?? 0) / clean, accuracy: 1e-9)
        try writeJSON(corrupted, to: "baseline.json")
        let compared = try Self.parseObject(try kdistillOK(cArgs + ["--baseline", "baseline.json"]).stdout, source: "stdout")
        let base = try XCTUnwrap(
            ((compared["robustness"] as? [String: Any])?["corruptions"] as? [String: Any])?["baseline"] as? [String: Any])
        XCTAssertEqual(base["mce"] as? Double ?? -1, 1, accuracy: 1e-9, "a model against itself has mCE 1")
        // Bad flags are one-line usage errors.
        let bad = try kdistill(["eval", "runs/teacher/best.safetensors", "--attack", "cw"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--attack"), bad.stderr)
    }

    func testAdversarialTrainingAndRobustDistillation() throws {
        try Self.requireFashionMNIST()
        try trainTeacher()
        let evaluation: [String: Any] = [
            "robustness": true, "eps": [0.1], "steps": 5, "teacher": true, "corruptions": "contrast", "severities": "1",
        ]
        // Madry training of a baseline: PGD-3 examples of the model itself.
        let madry = FastConfig.object(
            epochs: 2, ["model": "lenet5", "adversarial": ["eps": 0.1, "steps": 3], "evaluation": evaluation])
        try writeJSON(madry, to: "pgd-at.json")
        let trained = try kdistillOK(["--threads", "2", "train-teacher", "pgd-at.json"])
        let atSummary = try readJSON("runs/pgd-at/summary.json")
        XCTAssertEqual(atSummary["method"] as? String, "adversarial")
        let atBlock = try XCTUnwrap(atSummary["robustness"] as? [String: Any])
        XCTAssertEqual(try readJSON("runs/pgd-at/robustness.json") as NSDictionary, atBlock as NSDictionary)
        let resolved = try XCTUnwrap(try readJSON("runs/pgd-at/config.json")["adversarial"] as? [String: Any])
        XCTAssertEqual(resolved["step_size"] as? String, "auto")
        XCTAssertTrue(
            trained.stderr.contains("pgd3, eps 0.1, step size 0.025"), "the log shows the resolved attack: \(trained.stderr)")

        for (method, terms) in [("ard", ["kd"]), ("rslad", ["adv", "nat"])] {
            let config = FastConfig.object(
                epochs: 2,
                [
                    "student": "lenet5", "teacher": "runs/teacher/best.safetensors", "method": ["name": method, "steps": 3],
                    "evaluation": evaluation,
                ])
            try writeJSON(config, to: "\(method).json")
            try kdistillOK(["--threads", "2", "distill", "\(method).json"])
            let summary = try readJSON("runs/\(method)/summary.json")
            XCTAssertGreaterThan(summary["test_acc"] as? Double ?? 0, 0.5, "\(method) trains a student: \(summary)")
            let line = try XCTUnwrap(try readJSONLines("runs/\(method)/metrics.jsonl").last)
            for term in terms { XCTAssertNotNil(line[term], "\(method) logs \(term): \(line)") }
            let block = try XCTUnwrap(summary["robustness"] as? [String: Any])
            let first = try XCTUnwrap((block["attacks"] as? [[String: Any]])?.first)
            XCTAssertNotNil(first["teacher_accuracy"], "evaluation.teacher attacks the teacher too")
            XCTAssertLessThanOrEqual(first["accuracy"] as? Double ?? 2, block["clean"] as? Double ?? -1)
            let corruptions = try XCTUnwrap(block["corruptions"] as? [String: Any])
            XCTAssertEqual((corruptions["corruptions"] as? [String: Any])?.keys.sorted(), ["contrast"])
            XCTAssertNotNil(block["teacher_corruptions"], "the teacher under the same corruptions")
        }

        // The report reads the blocks just written: one row per run, the shared teacher once.
        let report = try kdistillOK(
            ["report", "runs/pgd-at", "runs/ard", "runs/rslad", "--by", "method", "--robustness", "--out", "report"])
        XCTAssertTrue(
            report.stdout.contains("| group | seeds | clean (%) | FGSM ε=0.1 (%) | PGD-5 ε=0.1 (%) | mCA (%) | rCA |"),
            report.stdout)
        let rows = try String(contentsOfFile: dir + "/report/robustness.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(
            rows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[1] },
            ["kind", "group", "group", "group", "teacher"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/report/robustness.svg"))

        // Madry training is for train-teacher; distill says where robust distillation is.
        var wrong = FastConfig.object(["student": "lenet5", "teacher": "runs/teacher/best.safetensors", "method": "kd"])
        wrong["adversarial"] = ["eps": 0.1]
        try writeJSON(wrong, to: "wrong.json")
        assertInputError(try kdistill(["distill", "wrong.json"]), mentions: ["adversarial", "ard"])
    }
}
