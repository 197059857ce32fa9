// MethodRulesTests: the method rules through the binary. `--method` and `--set method=...` (a sweep's
// method axis) start from the new method's defaults and print them; `sp+kd` and `kd+sp` are one method
// that trains identically and is written sp+kd.

import Foundation
import TestSupport
import XCTest

final class MethodRulesTests: CLITestCase {
    var data = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        data = dir + "/mnist"
        try TinyDatasetFiles.writeMNIST(directory: data, trainCount: 96, testCount: 32, gzip: false)
    }

    /// A one-epoch mlp config on the tiny MNIST with `extra` keys.
    func config(_ extra: [String: Any]) -> [String: Any] {
        var c: [String: Any] = [
            "data": ["dataset": "mnist", "dir": data], "student": "mlp-8", "epochs": 1, "batch_size": 32,
            "optimizer": ["name": "adam", "lr": 0.01],
        ]
        c.merge(extra) { $1 }
        return c
    }

    let kd: [String: Any] = ["name": "kd", "T": 4, "ce_weight": 0.1, "kd_weight": 0.9, "cache_teacher": true]

    /// The `method` object `kdistill validate kd.json ARGS` prints.
    func validatedMethod(_ args: [String]) throws -> NSDictionary {
        let r = try kdistillOK(["validate", "kd.json"] + args)
        return try XCTUnwrap(try Self.parseObject(r.stdout, source: "validate")["method"] as? NSDictionary, "\(r)")
    }

    func testMethodSwitchStartsFromTheNewMethodsDefaults() throws {
        try writeJSON(config(["teacher": "t.safetensors", "method": kd]), to: "kd.json")
        let rkd = try validatedMethod(["--method", "rkd"])
        XCTAssertEqual(rkd["ce_weight"] as? Double, 1, "rkd's ce_weight, not kd's 0.1: \(rkd)")
        XCTAssertEqual(rkd["distance_weight"] as? Double, 25)
        XCTAssertEqual(rkd["cache_teacher"] as? Bool, true, "cache_teacher carries over")
        XCTAssertNil(rkd["T"])
        for args in [["--set", "method.name=rkd"], ["--set", "method=rkd"]] {
            XCTAssertEqual(try validatedMethod(args), rkd, "\(args) switches like --method")
        }
        let set = try validatedMethod(["--method", "rkd", "--set", "method.ce_weight=0.5"])
        XCTAssertEqual(set["ce_weight"] as? Double, 0.5, "a key set for the new method is kept")
        XCTAssertEqual(try validatedMethod(["--set", "method.ce_weight=0.5", "--set", "method.name=rkd"]), set)
    }

    func testCombinationSpellingsTrainIdenticallyAndTheLogShowsTheParameters() throws {
        try writeJSON(config(["model": "mlp-16"]), to: "t.json")
        try kdistillOK(["--threads", "1", "train-teacher", "t.json"])
        try writeJSON(config(["teacher": "runs/t/latest.safetensors", "method": kd]), to: "kd.json")
        var logs: [String] = []
        for name in ["sp+kd", "kd+sp"] {
            let r = try kdistillOK(["--threads", "1", "distill", "kd.json", "--method", name, "--set", "output.dir=\(name)"])
            logs.append(r.stderrLines.first { $0.hasPrefix("method ") } ?? "(no method line) \(r)")
            XCTAssertEqual(try readJSON("\(name)/summary.json")["method"] as? String, "sp+kd")
        }
        XCTAssertEqual(logs[0], logs[1])
        XCTAssertEqual(
            logs[0],
            "method sp+kd: ce_weight 0.1, gamma 3000, student_taps absent, teacher_taps absent, cache_teacher true, "
                + "quantize \"none\", T 4, kd_weight 0.9, logit_standardization false, class_adaptive absent, alpha_per_class absent"
        )
        var (a, b) = (try readJSON("sp+kd/config.json"), try readJSON("kd+sp/config.json"))
        (a["output"], b["output"]) = (nil, nil)
        XCTAssertEqual(a as NSDictionary, b as NSDictionary, "one resolved config")
        let (la, lb) = (try readJSONLines("sp+kd/metrics.jsonl"), try readJSONLines("kd+sp/metrics.jsonl"))
        XCTAssertEqual(la.count, 1)
        XCTAssertNotNil(la.first?["sp"])
        XCTAssertEqual(la.map(Self.withoutTiming), lb.map(Self.withoutTiming), "the same training")
    }
}
