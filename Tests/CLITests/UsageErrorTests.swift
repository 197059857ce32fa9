// UsageErrorTests: bad command lines through the binary: unknown command (with a suggestion), unknown
// option, missing and surplus positionals, bad option values, and `--set` with bad syntax or values.
// Each must give one `kdistill: ` line naming the culprit and exit status 2.

import Foundation
import TestSupport
import XCTest

final class UsageErrorTests: CLITestCase {
    /// A valid teacher config (its data is never reached).
    func config() throws -> String {
        try writeJSON(["data": ["dataset": "mnist", "dir": "no-data"], "model": "lenet5", "epochs": 1], to: "c.json")
    }

    func testUnknownCommandSuggestsTheClosest() throws {
        assertInputError(try kdistill(["distil", "c.json"]), mentions: ["unknown command 'distil'", "did you mean 'distill'"])
        assertInputError(try kdistill(["frobnicate"]), mentions: ["unknown command 'frobnicate'", "train-teacher"])
        assertInputError(try kdistill(["help", "trian-teacher"]), mentions: ["'trian-teacher'", "train-teacher"])
        assertInputError(try kdistill([]), mentions: ["missing command"])
    }

    func testUnknownOptionsAndValues() throws {
        let c = try config()
        assertInputError(try kdistill(["train-teacher", c, "--thread", "2"]), mentions: ["'--thread'", "--threads"])
        assertInputError(try kdistill(["--verbose", "models"]), mentions: ["'--verbose'"])
        assertInputError(try kdistill(["train-teacher", c, "-x"]), mentions: ["'-x'"])
        assertInputError(try kdistill(["train-teacher", c, "--json=yes"]), mentions: ["'--json' takes no value"])
        assertInputError(try kdistill(["train-teacher", c, "--threads", "0"]), mentions: ["--threads", "'0'"])
        assertInputError(try kdistill(["--threads", "many", "train-teacher", c]), mentions: ["--threads", "'many'"])
        assertInputError(try kdistill(["train-teacher", c, "--set"]), mentions: ["'--set' needs a value"])
        assertInputError(try kdistill(["models", "--input", "3x32"]), mentions: ["--input", "'3x32'"])
        assertInputError(try kdistill(["models", "--classes", "1"]), mentions: ["--classes"])
        assertInputError(try kdistill(["eval", "x.safetensors", "--split", "val"]), mentions: ["--split", "'val'"])
        assertInputError(try kdistill(["download", "imagenet"]), mentions: ["'imagenet'", "fashion-mnist"])
    }

    func testMissingAndSurplusPositionals() throws {
        let c = try config()
        assertInputError(try kdistill(["train-teacher"]), mentions: ["missing CONFIG"])
        assertInputError(try kdistill(["distill", "--json"]), mentions: ["missing CONFIG"])
        assertInputError(try kdistill(["eval"]), mentions: ["missing CHECKPOINT"])
        assertInputError(try kdistill(["download"]), mentions: ["missing DATASET"])
        assertInputError(try kdistill(["train-teacher", c, "extra"]), mentions: ["unexpected argument 'extra'"])
        assertInputError(try kdistill(["train-teacher", "missing.json"]), mentions: ["missing.json", "no such file"])
    }

    func testSetWithBadSyntax() throws {
        let c = try config()
        for bad in ["epochs", ".epochs=3", "optimizer..lr=1", "=3", "opt imizer.lr=1"] {
            assertInputError(try kdistill(["train-teacher", c, "--set", bad]), mentions: ["--set", bad])
        }
    }

    func testSetWithBadValuesNamesTheKeyPath() throws {
        let c = try config()
        let cases: [(String, [String])] = [
            ("epochs=-1", ["epochs (from --set)", "-1"]),
            ("epochs=two", ["epochs (from --set)", "two"]),
            ("optimizer.lr=-0.1", ["optimizer.lr (from --set)", "-0.1"]),
            ("optimizer.lr=fast", ["optimizer.lr (from --set)", "fast"]),
            ("batch_size=0", ["batch_size (from --set)", "0"]),
            ("epoch=3", ["epoch (from --set)", "unknown key", "'epochs'"]),
            ("optimizer.lr.x=1", ["optimizer.lr (from --set)"]),
            ("optimizer=3", ["optimizer (from --set)", "expected an object"]),
            ("model=lenet6", ["model (from --set)", "'lenet6'", "'lenet5'"]),
            ("data.dataset=mnsit", ["data.dataset (from --set)", "mnsit"]),
            ("schedule.milestones=[3,2]", ["schedule.milestones[1]", "found 2"]),
        ]
        for (set, mentions) in cases {
            assertInputError(try kdistill(["train-teacher", c, "--set", set]), mentions: ["c.json"] + mentions)
        }
        assertInputError(
            try kdistill(["train-teacher", c, "--set", "optimizer.lr=0.1", "--set", "optimizer.lr.x=1"]),
            mentions: ["optimizer.lr (from --set)", "cannot set 'optimizer.lr.x'", "0.1"])
        assertInputError(try kdistill(["validate", c, "--method", "kdd"]), mentions: ["--method", "'kdd'", "'kd'"])
    }
}
