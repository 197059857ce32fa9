// `--set key.path=value`: JSON or string values, nested creation, shorthand expansion, string
// keys that look like numbers, errors marked "(from --set)", and bad syntax.

import KDMethods
import KDTrain
import XCTest

final class ConfigOverrideTests: XCTestCase {
    func testParsing() throws {
        let lr = try ConfigOverride(parsing: "optimizer.lr=0.1")
        XCTAssertEqual(lr.path, ["optimizer", "lr"])
        XCTAssertEqual(lr.value, .number(0.1))
        XCTAssertEqual(try ConfigOverride(parsing: "data.limit=1000").value, .int(1000))
        XCTAssertEqual(try ConfigOverride(parsing: "method.name=at").value, .string("at"))
        XCTAssertEqual(try ConfigOverride(parsing: "optimizer.betas=[0.9,0.99]").value, [0.9, 0.99])
        XCTAssertEqual(try ConfigOverride(parsing: "description=a=b").value, .string("a=b"))
        XCTAssertEqual(try ConfigOverride(parsing: #"name="quoted""#).value, .string("quoted"))
        XCTAssertEqual(try ConfigOverride(parsing: "name=").value, .string(""))
    }

    func testBadSyntax() {
        for (arg, message) in [
            ("foo", "--set: expected KEY.PATH=VALUE, found 'foo'"),
            ("=3", "--set: expected KEY.PATH=VALUE with dot-separated keys, found '=3'"),
            ("a..b=1", "--set: expected KEY.PATH=VALUE with dot-separated keys, found 'a..b=1'"),
        ] {
            XCTAssertThrowsError(try ConfigOverride(parsing: arg)) { XCTAssertEqual("\($0)", message) }
        }
    }

    func testOverridesApplyBeforeDecoding() throws {
        let c = try ConfigFixtures.decode(
            ConfigFixtures.distill,
            overrides: [
                "optimizer.lr=0.2", "data.limit=1000", "optimizer.betas=[0.9,0.99]", "method.name=at+kd", "method.beta=50",
                "schedule.name=step", "name=2024", "student=lenet5", "threads=4",
            ])
        XCTAssertEqual(c.optimizer.lr, 0.2)
        XCTAssertEqual(c.data.limit, 1000)
        XCTAssertEqual(c.optimizer.betas, [0.9, 0.99])
        XCTAssertEqual(c.method?.parts, ["at", "kd"])
        XCTAssertEqual(try c.method?.params.double("beta"), 50)
        XCTAssertEqual(try c.method?.params.double("T"), 4, "a new method starts from its defaults, not the file's kd T 2")
        XCTAssertEqual(c.schedule.name, .step)
        XCTAssertEqual(c.name, "2024", "a number given to a string key is taken as text")
        XCTAssertEqual(c.output.dir, "runs/2024")
        XCTAssertEqual(c.student, ModelConfig(name: "lenet5"))
        XCTAssertEqual(c.threads, 4)
    }

    func testCreatesMissingObjectsAndExpandsShorthands() throws {
        let text = #"{"data": {"dataset": "mnist"}, "student": "lenet5", "method": "kd", "teacher": "t.safetensors"}"#
        let c = try ConfigFixtures.decode(
            text,
            overrides: [
                "method.T=2", "student.dropout=0.25", "teacher.train_bn=true",
                "data.augment.flip=true", "output.keep_every=5",
            ])
        XCTAssertEqual(c.method?.name, "kd")
        XCTAssertEqual(try c.method?.params.double("T"), 2)
        XCTAssertEqual(c.student, ModelConfig(name: "lenet5", dropout: 0.25))
        XCTAssertEqual(c.teacher, TeacherConfig(checkpoint: "t.safetensors", model: nil, trainBN: true))
        XCTAssertTrue(c.data.flip)
        XCTAssertEqual(c.output.keepEvery, 5)
        let fresh = try ConfigFixtures.decode("{}", overrides: ["data.dataset=cifar10", "method.name=kd", "method.T=3"])
        XCTAssertEqual(fresh.data.dataset, .cifar10)
        XCTAssertEqual(try fresh.method?.params.double("T"), 3)
    }

    func testOverrideErrorsAreMarked() {
        let text = ConfigFixtures.distill
        XCTAssertEqual(
            ConfigFixtures.failure(text, overrides: ["optimizer.lr=-0.1"]),
            "configs/x.json: optimizer.lr (from --set): expected a number > 0, found -0.1")
        XCTAssertEqual(
            ConfigFixtures.failure(text, overrides: ["optimizer.moment=0.5"]),
            "configs/x.json: optimizer.moment (from --set): unknown key; did you mean 'momentum'?")
        XCTAssertEqual(
            ConfigFixtures.failure(text, overrides: ["method=kdd"]),
            "configs/x.json: method (from --set): unknown method 'kdd'; did you mean 'kd'?")
        XCTAssertEqual(
            ConfigFixtures.failure(text, overrides: ["epochs.x=1"]),
            "configs/x.json: epochs (from --set): cannot set 'epochs.x': expected an object at 'epochs', found 3")
        XCTAssertEqual(
            ConfigFixtures.failure(text, overrides: ["epochs=0"]),
            "configs/x.json: epochs (from --set): expected an integer >= 1, found 0")
        XCTAssertEqual(ConfigFixtures.failure(text), "(decoded without error)")
    }
}
