// Test fixtures for the config tests: fake method declarations (the real methods come later)
// and helpers to decode a config from text and to capture the error a config produces.

import KDMethods
import KDTrain
import XCTest

enum ConfigFixtures {
    static let kd: [ParamSpec] = [
        ParamSpec("T", .number(.positive), default: 4, doc: "temperature"),
        ParamSpec("ce_weight", .number(.nonNegative), default: 0.1, doc: "label term weight"),
        ParamSpec("kd_weight", .number(.nonNegative), default: 0.9, doc: "KD term weight"),
    ]
    static let at: [ParamSpec] = [
        ParamSpec("beta", .number(.nonNegative), default: 1000, doc: "AT weight"),
        ParamSpec("p", .number(.positive), default: 2, doc: "power"),
        ParamSpec("taps", .list(.string()), default: .value(["layer1", "layer2", "layer3"]), doc: "student taps"),
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "label term weight"),
        ParamSpec("mode", .string(choices: ["common", "paper"]), default: "common", doc: "loss form"),
    ]
    static let dml: [ParamSpec] = [
        ParamSpec("peers", .list(.model), default: .value([]), doc: "extra students"),
        ParamSpec("update", .string(choices: ["sequential", "simultaneous"]), default: "sequential", doc: "order"),
        ParamSpec("hint_epochs", .integer(.positive), default: .absent, doc: "default: a third of the epochs"),
    ]
    /// Declares `ce_weight` as an integer: combining it with `kd` must fail.
    static let clash: [ParamSpec] = [ParamSpec("ce_weight", .integer(), default: 1, doc: "conflicting")]

    static let context = ConfigContext(
        methods: MethodCatalog([
            MethodTraits(name: "kd", params: kd, role: .base), MethodTraits(name: "at", params: at, role: .addOn),
            MethodTraits(name: "dml", params: dml, shape: "cohort"), MethodTraits(name: "clash", params: clash, role: .addOn),
        ]),
        methodsWithoutTeacher: ["dml"])

    static let minimal = #"{"data": {"dataset": "mnist"}, "model": "lenet5"}"#

    static let distill = #"""
        {
          "name": "kd-r8",
          "data": {"dataset": "cifar10", "augment": {"crop_padding": 4, "flip": true}},
          "teacher": {"checkpoint": "runs/t/best.safetensors"},
          "student": {"name": "resnet8", "dropout": 0.1},
          "method": {"name": "kd", "T": 2},
          "optimizer": {"lr": 0.1},
          "epochs": 3
        }
        """#

    static func decode(_ text: String, overrides: [String] = [], name: String = "x") throws -> ExperimentConfig {
        let sets = try overrides.map { s throws(ConfigError) in try ConfigOverride(parsing: s) }
        return try ExperimentConfig.decode(
            text: text, source: "configs/\(name).json", defaultName: name,
            overrides: sets, context: context)
    }

    /// The one-line message decoding `text` fails with, or a note that it did not fail.
    static func failure(_ text: String, overrides: [String] = []) -> String {
        do {
            _ = try decode(text, overrides: overrides)
            return "(decoded without error)"
        } catch {
            return "\(error)"
        }
    }
}
