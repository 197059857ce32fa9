// Every class of config error, as the one line a user sees: syntax (line, column), unknown keys
// with suggestions at several depths, wrong types, ranges, unknown models and methods.

import KDMethods
import KDTrain
import XCTest

final class ConfigErrorTests: XCTestCase {
    func fail(_ body: String) -> String {
        ConfigFixtures.failure(#"{"data": {"dataset": "mnist"}, "#.appending(body).appending("}"))
    }

    func testSyntaxError() {
        XCTAssertEqual(
            ConfigFixtures.failure("{\n  \"data\": {\"dataset\": \"mnist\"}\n  \"epochs\": 3\n}"),
            "configs/x.json: line 3, column 3: expected ',' or '}', found '\"'")
        XCTAssertEqual(ConfigFixtures.failure("[1]"), "configs/x.json: expected an object at the top level, found an array")
    }

    func testUnknownKeysSuggestAtEveryDepth() {
        XCTAssertEqual(fail(#""epoch": 3"#), "configs/x.json: epoch: unknown key; did you mean 'epochs'?")
        XCTAssertEqual(
            fail(#""optimizer": {"moment": 0.8}"#),
            "configs/x.json: optimizer.moment: unknown key; did you mean 'momentum'?")
        XCTAssertEqual(fail(#""optim": {}"#), "configs/x.json: optim: unknown key; did you mean 'optimizer'?")
        XCTAssertEqual(
            ConfigFixtures.failure(#"{"data": {"dataset": "mnist", "augment": {"flips": true}}}"#),
            "configs/x.json: data.augment.flips: unknown key; did you mean 'flip'?")
        XCTAssertEqual(
            fail(#""student": {"name": "lenet5", "dropuot": 0.1}"#),
            "configs/x.json: student.dropuot: unknown key; did you mean 'dropout'?")
        XCTAssertEqual(
            fail(#""method": {"name": "kd", "TT": 2}"#),
            "configs/x.json: method.TT: unknown key; did you mean 'T'?")
        XCTAssertEqual(
            fail(#""method": {"name": "at+kd", "bta": 2}"#),
            "configs/x.json: method.bta: unknown key; did you mean 'beta'?")
        XCTAssertEqual(
            fail(#""output": {"zzz": 1}"#),
            "configs/x.json: output.zzz: unknown key; expected one of dir, keep_every")
    }

    func testWrongTypes() {
        XCTAssertEqual(
            fail(#""optimizer": {"lr": "0.1"}"#),
            #"configs/x.json: optimizer.lr: expected a number > 0, found "0.1""#)
        XCTAssertEqual(fail(#""epochs": 2.5"#), "configs/x.json: epochs: expected an integer >= 1, found 2.5")
        XCTAssertEqual(fail(#""stop_on_nonfinite": 1"#), "configs/x.json: stop_on_nonfinite: expected true or false, found 1")
        XCTAssertEqual(fail(#""optimizer": 0.1"#), "configs/x.json: optimizer: expected an object, found 0.1")
        XCTAssertEqual(
            fail(#""optimizer": {"betas": [0.9]}"#),
            "configs/x.json: optimizer.betas: expected a list of 2 numbers in [0, 1), found [0.9]")
        XCTAssertEqual(
            fail(#""schedule": {"milestones": [5, "x"]}"#),
            #"configs/x.json: schedule.milestones[1]: expected an integer >= 1, found "x""#)
        XCTAssertEqual(
            fail(#""student": 5"#),
            "configs/x.json: student: expected a model name or {name, dropout} object, found 5")
        XCTAssertEqual(fail(#""method": {"name": 3}"#), "configs/x.json: method.name: expected a method name, found 3")
    }

    func testMessagesStayOnOneLine() {
        let message = fail(#""epochs\n": 1"#)
        XCTAssertEqual(message, "configs/x.json: epochs\\n: unknown key; did you mean 'epochs'?")
        XCTAssertFalse(message.contains("\n"))
        XCTAssertEqual(fail(#""teacher": 5"#), "configs/x.json: teacher: expected an object or a checkpoint string, found 5")
    }

    func testMutatedConfigsFailCleanly() {
        let base = Array(ConfigFixtures.distill.unicodeScalars)
        let alphabet = Array("{}[]\",:0123456789.-eE tnulfax\\\n".unicodeScalars)
        var state: UInt64 = 12345
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<500 {
            var text = base
            for _ in 0..<(1 + next(3)) {
                let at = next(text.count)
                switch next(3) {
                case 0: text.remove(at: at)
                case 1: text.insert(alphabet[next(alphabet.count)], at: at)
                default: text[at] = alphabet[next(alphabet.count)]
                }
            }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: text)
            let message = ConfigFixtures.failure(String(out))
            XCTAssertFalse(message.contains("\n"), message)
        }
    }

    func testOutOfRange() {
        XCTAssertEqual(fail(#""optimizer": {"lr": -0.1}"#), "configs/x.json: optimizer.lr: expected a number > 0, found -0.1")
        XCTAssertEqual(fail(#""batch_size": 0"#), "configs/x.json: batch_size: expected an integer >= 1, found 0")
        XCTAssertEqual(
            fail(#""optimizer": {"betas": [0.9, 1.0]}"#),
            "configs/x.json: optimizer.betas[1]: expected a number in [0, 1), found 1")
        XCTAssertEqual(
            fail(#""student": {"name": "lenet5", "dropout": 1}"#),
            "configs/x.json: student.dropout: expected a number in [0, 1), found 1")
        XCTAssertEqual(fail(#""method": {"name": "kd", "T": 0}"#), "configs/x.json: method.T: expected a number > 0, found 0")
        XCTAssertEqual(
            fail(#""schedule": {"milestones": [5, 5]}"#),
            "configs/x.json: schedule.milestones[1]: expected an epoch after 5, found 5")
        XCTAssertEqual(
            fail(#""optimizer": {"momentum": 0, "nesterov": true}"#),
            "configs/x.json: optimizer.nesterov: expected momentum > 0 for Nesterov momentum, found momentum 0.0")
        XCTAssertEqual(
            fail(#""optimizer": {"name": "sgdd"}"#),
            #"configs/x.json: optimizer.name: expected one of sgd, adam, adamw, found "sgdd"; did you mean 'sgd'?"#)
        XCTAssertEqual(
            ConfigFixtures.failure(#"{"data": {"dataset": "mnist", "labels": "coarse"}}"#),
            #"configs/x.json: data.labels: expected 'fine' for dataset 'mnist' (coarse labels exist only in cifar100), found "coarse""#
        )
        XCTAssertEqual(fail(#""name": """#), #"configs/x.json: name: expected a non-empty string, found """#)
    }

    func testMissingRequired() {
        XCTAssertEqual(
            ConfigFixtures.failure("{}"),
            "configs/x.json: data.dataset: missing; expected one of mnist, fashion-mnist, cifar10, cifar100")
        XCTAssertEqual(
            ConfigFixtures.failure(#"{"data": {"dataset": "cifar"}}"#),
            #"configs/x.json: data.dataset: expected one of mnist, fashion-mnist, cifar10, cifar100, found "cifar"; did you mean 'cifar10'?"#
        )
        XCTAssertEqual(fail(#""student": {"dropout": 0.1}"#), "configs/x.json: student.name: missing; expected a string")
        XCTAssertEqual(
            fail(#""method": {"T": 2}"#),
            "configs/x.json: method.name: missing; expected a method name (at, clash, dml, kd)")
    }

    func testUnknownModels() {
        XCTAssertEqual(
            fail(#""student": {"name": "resnet21"}"#),
            "configs/x.json: student.name: unknown model 'resnet21'; did you mean 'resnet20'?")
        XCTAssertEqual(
            fail(#""model": "lenet"#.appending("\"")),
            "configs/x.json: model: unknown model 'lenet'; did you mean 'lenet5'?")
        XCTAssertEqual(
            fail(#""teacher": {"checkpoint": "t", "model": "wrn-15-2"}"#),
            "configs/x.json: teacher.model: unknown model 'wrn-15-2'; did you mean 'wrn-16-2'?")
    }

    func testUnknownMethods() {
        XCTAssertEqual(fail(#""method": "kdd""#), "configs/x.json: method: unknown method 'kdd'; did you mean 'kd'?")
        XCTAssertEqual(
            fail(#""method": {"name": "at+kdd"}"#),
            "configs/x.json: method.name: unknown method 'kdd' in 'at+kdd'; did you mean 'kd'?")
        XCTAssertEqual(
            fail(#""method": {"name": "xyz"}"#),
            "configs/x.json: method.name: unknown method 'xyz'; expected one of at, clash, dml, kd")
        XCTAssertEqual(fail(#""method": "kd+kd""#), "configs/x.json: method: method 'kd' appears twice in 'kd+kd'")
        XCTAssertEqual(
            fail(#""method": "kd+clash""#),
            "configs/x.json: method: 'kd+clash' combines two declarations of 'ce_weight': an integer and a number >= 0")
        let reserved = ConfigContext(
            methods: MethodCatalog([MethodTraits(name: "odd", params: [ParamSpec("name", .string(), default: "x", doc: "")])]))
        XCTAssertThrowsError(
            try ExperimentConfig.decode(
                text: #"{"data": {"dataset": "mnist"}, "method": "odd"}"#, source: "c.json", defaultName: "c",
                context: reserved)
        ) {
            XCTAssertEqual("\($0)", "c.json: method: method 'odd' declares 'name', which names the method")
        }
        let none = ConfigContext()
        XCTAssertThrowsError(
            try ExperimentConfig.decode(
                text: #"{"data": {"dataset": "mnist"}, "method": "kd"}"#,
                source: "c.json", defaultName: "c", context: none)
        ) {
            XCTAssertEqual("\($0)", "c.json: method: unknown method 'kd'; no methods are registered")
        }
    }
}
