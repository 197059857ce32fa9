// ConfigErrorTests: the bad-config corpus through the binary: typos (with suggestions), wrong types,
// bad values, unknown models and methods, JSON syntax errors (line and column), per-command
// requirements. Each gives one `kdistill: ` line naming the file and key path, and exit status 2.

import Foundation
import TestSupport
import XCTest

final class ConfigErrorTests: CLITestCase {
    /// A bad config: its JSON text, the command, and what the message must mention besides the file name.
    struct Case {
        let text: String
        let command: String
        let mentions: [String]
        init(_ text: String, _ mentions: [String], command: String = "train-teacher") {
            (self.text, self.command, self.mentions) = (text, command, mentions)
        }
    }

    static let data = #""data": {"dataset": "mnist", "dir": "no-data"}"#
    static let distill = #""student": "lenet5", "teacher": "t.safetensors""#

    static let cases: [Case] = [
        // Typos: unknown keys with the closest known one suggested.
        Case(#"{\#(data), "model": "lenet5", "epocs": 3}"#, ["epocs", "unknown key", "'epochs'"]),
        Case(#"{\#(data), "model": "lenet5", "optimizer": {"lr": 0.1, "momentun": 0.9}}"#, ["optimizer.momentun", "'momentum'"]),
        Case(#"{\#(data), "model": "lenet5", "data ": 1}"#, ["unknown key"]),
        Case(#"{\#(data), \#(distill), "method": {"name": "kd", "Tt": 2}}"#, ["method.Tt", "'T'"], command: "distill"),
        // Wrong types.
        Case(#"{\#(data), "model": "lenet5", "epochs": "ten"}"#, ["epochs", "ten"]),
        Case(#"{\#(data), "model": "lenet5", "epochs": true}"#, ["epochs", "true"]),
        Case(#"{\#(data), "model": "lenet5", "seed": 1.5}"#, ["seed", "1.5"]),
        Case(#"{\#(data), "model": "lenet5", "optimizer": {"lr": "fast"}}"#, ["optimizer.lr", "fast"]),
        Case(#"{\#(data), "model": "lenet5", "optimizer": [0.1]}"#, ["optimizer", "expected an object"]),
        Case(#"{\#(data), "model": 5}"#, ["model"]),
        Case(#"{"data": "mnist", "model": "lenet5"}"#, ["data"]),
        Case(#"{\#(data), "model": "lenet5", "optimizer": {"betas": [0.9]}}"#, ["optimizer.betas", "[0.9]"]),
        // Bad values.
        Case(#"{\#(data), "model": "lenet5", "optimizer": {"lr": -0.1}}"#, ["optimizer.lr", "> 0", "-0.1"]),
        Case(#"{\#(data), "model": "lenet5", "optimizer": {"lr": 0}}"#, ["optimizer.lr", "> 0"]),
        Case(#"{\#(data), "model": "lenet5", "batch_size": 0}"#, ["batch_size", ">= 1", "0"]),
        Case(#"{\#(data), "model": "lenet5", "epochs": 99999999999999999999999}"#, ["epochs"]),
        Case(#"{\#(data), "model": "lenet5", "label_smoothing": 1}"#, ["label_smoothing", "[0, 1)"]),
        Case(#"{\#(data), "model": {"name": "lenet5", "dropout": 2}}"#, ["model.dropout", "2"]),
        Case(#"{\#(data), "model": "lenet5", "optimizer": {"name": "adagrad"}}"#, ["optimizer.name", "adagrad"]),
        Case(
            #"{\#(data), "model": "lenet5", "schedule": {"name": "multistep", "milestones": [3, 2]}}"#,
            ["schedule.milestones[1]", "after 3", "found 2"]),
        Case(#"{"data": {"dataset": "mnist", "labels": "coarse"}, "model": "lenet5"}"#, ["data.labels", "cifar100"]),
        Case(#"{"data": {"dataset": "mnsit"}, "model": "lenet5"}"#, ["data.dataset", "mnsit", "'mnist'"]),
        Case(#"{"model": "lenet5"}"#, ["data.dataset", "missing"]),
        // Unknown models and methods.
        Case(#"{\#(data), "model": "lenet6"}"#, ["model", "'lenet6'", "'lenet5'"]),
        Case(#"{\#(data), "model": "resnet9"}"#, ["model", "'resnet9'"]),
        Case(#"{\#(data), "model": "mlp-0"}"#, ["model", "'mlp-0'"]),
        Case(#"{\#(data), "model": "wrn-16-0"}"#, ["model", "'wrn-16-0'"]),
        Case(#"{\#(data), \#(distill), "method": "kdd"}"#, ["method", "'kdd'", "'kd'"], command: "distill"),
        Case(#"{\#(data), \#(distill), "method": "kd+kd"}"#, ["method", "twice"], command: "distill"),
        Case(#"{\#(data), \#(distill), "method": {"name": "kd", "T": 0}}"#, ["method.T", "> 0", "0"], command: "distill"),
        Case(
            #"{\#(data), \#(distill), "method": {"name": "kd", "kd_weight": -1}}"#, ["method.kd_weight", "-1"], command: "distill"
        ),
        Case(
            #"{\#(data), \#(distill), "method": {"name": "dml", "update": "async"}}"#, ["method.update", "async"],
            command: "distill"),
        Case(#"{\#(data), \#(distill), "method": {"name": "takd"}}"#, ["method.assistant"], command: "distill"),
        Case(
            #"{\#(data), \#(distill), "method": {"name": "ban", "generations": 0}}"#, ["method.generations", "0"],
            command: "distill"),
        // Per-command requirements.
        Case(#"{\#(data), "student": "lenet5"}"#, ["model", "required for train-teacher"]),
        Case(#"{\#(data), "student": "lenet5", "method": "kd"}"#, ["teacher", "required for distill"], command: "distill"),
        Case(
            #"{\#(data), "teacher": "t.safetensors", "method": "kd"}"#, ["student", "required for distill"], command: "distill"),
        Case(#"{\#(data), \#(distill)}"#, ["method", "required"], command: "distill"),
        // Not an object, not UTF-8.
        Case(#"[1, 2]"#, ["expected an object at the top level", "array"]),
        Case(#""#, ["c.json"]),
    ]

    func testBadConfigsGiveOneLineNamingFileAndKey() throws {
        for (k, c) in Self.cases.enumerated() {
            try write(c.text, to: "c.json")
            let r = try kdistill([c.command, "c.json"])
            assertInputError(r, mentions: ["c.json: "] + c.mentions)
            if !r.exited(with: 2) || r.stderrLines.count != 1 { XCTFail("case \(k): \(c.text)") }
        }
    }

    func testJSONSyntaxErrorsGiveLineAndColumn() throws {
        let cases: [(String, [String])] = [
            ("{\"model\": \"lenet5\",\n  \"epochs\": 3,,\n}", ["line 2, column 15"]),
            ("{\"model\": \"lenet5\",\n  \"epochs\": 3\n", ["line 3, column 1", "end of input"]),
            ("{\"model\": 'lenet5'}", ["line 1, column 11"]),
            ("{\"epochs\": 1e400}", ["line 1", "1e400"]),
            ("{\"model\": \"lenet5\", \"model\": \"resnet8\"}", ["duplicate key", "model"]),
            ("{\"model\": \"lenet5\"} trailing", ["line 1"]),
            ("{\"a\": \"\u{1}\"}", ["line 1"]),
        ]
        for (text, mentions) in cases {
            try write(text, to: "c.json")
            assertInputError(try kdistill(["validate", "c.json"]), mentions: ["c.json: "] + mentions)
        }
    }

    func testInvalidUTF8AndDirectoriesAreReported() throws {
        try Data([0x7B, 0xFF, 0xFE, 0x7D]).write(to: URL(fileURLWithPath: dir + "/bin.json"))
        assertInputError(try kdistill(["validate", "bin.json"]), mentions: ["bin.json", "UTF-8"])
        try FileManager.default.createDirectory(atPath: dir + "/folder.json", withIntermediateDirectories: true)
        assertInputError(try kdistill(["train-teacher", "folder.json"]), mentions: ["folder.json"])
    }

    func testMethodOverrideOnTheCommandLineIsChecked() throws {
        try write(#"{\#(Self.data), \#(Self.distill), "method": "kd"}"#, to: "c.json")
        assertInputError(
            try kdistill(["distill", "c.json", "--method", "rkd+dml"]), mentions: ["method.name", "'dml'", "rkd+dml"])
        assertInputError(try kdistill(["validate", "c.json", "--method", "kd+ban"]), mentions: ["method.name", "'ban'"])
        assertInputError(try kdistill(["distill", "c.json", "--method", "ensemble"]), mentions: ["method.teachers"])
        assertInputError(try kdistill(["distill", "c.json", "--set", "method.T=-4"]), mentions: ["method.T (from --set)", "-4"])
    }
}
