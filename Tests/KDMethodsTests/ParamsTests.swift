// Parameter declarations and resolved values: kinds and their phrases, default coercion,
// declaration problems, and the typed getters (including their errors).

import KDMethods
import XCTest

final class ParamsTests: XCTestCase {
    let specs: [ParamSpec] = [
        ParamSpec("T", .number(.positive), default: 4, doc: "temperature"),
        ParamSpec("epochs", .integer(.positive), default: .absent, doc: "default: a third of the epochs"),
        ParamSpec("mode", .string(choices: ["a", "b"]), default: "a", doc: "mode"),
        ParamSpec("taps", .list(.string()), default: .value(["layer1", "layer2"]), doc: "taps"),
        ParamSpec("weights", .list(.number(.nonNegative)), default: .value([1, 0.5]), doc: "weights"),
        ParamSpec("cohort", .list(.model), default: .value([.model(ModelConfig(name: "lenet5"))]), doc: "models"),
        ParamSpec("cache", .boolean, default: false, doc: "cache"),
        ParamSpec(
            "assistant", .object([ParamSpec("model", .model, default: .required, doc: "m")]), default: .absent,
            doc: "assistant"),
    ]

    func testPhrases() {
        XCTAssertEqual(ParamKind.number(.positive).expectation, "a number > 0")
        XCTAssertEqual(ParamKind.number(.nonNegative).expectation, "a number >= 0")
        XCTAssertEqual(ParamKind.number(.fraction).expectation, "a number in [0, 1)")
        XCTAssertEqual(
            ParamKind.number(NumberBounds(min: 0.5, minInclusive: false, max: 2)).expectation,
            "a number in (0.5, 2]")
        XCTAssertEqual(ParamKind.number(NumberBounds(max: 1e-8)).expectation, "a number <= 1e-08")
        XCTAssertEqual(ParamKind.integer(.positive).expectation, "an integer >= 1")
        XCTAssertEqual(ParamKind.integer(IntegerBounds(min: 1, max: 9)).expectation, "an integer in [1, 9]")
        XCTAssertEqual(ParamKind.boolean.expectation, "true or false")
        XCTAssertEqual(ParamKind.string(choices: ["x", "y"]).expectation, "one of x, y")
        XCTAssertEqual(ParamKind.list(.number(.fraction), count: 2).expectation, "a list of 2 numbers in [0, 1)")
        XCTAssertEqual(ParamKind.list(.string()).expectation, "a list of strings")
    }

    func testBounds() {
        XCTAssertTrue(NumberBounds.positive.contains(1e-12))
        XCTAssertFalse(NumberBounds.positive.contains(0))
        XCTAssertTrue(NumberBounds.fraction.contains(0))
        XCTAssertFalse(NumberBounds.fraction.contains(1))
        XCTAssertTrue(NumberBounds.unitInterval.contains(1))
        XCTAssertFalse(NumberBounds.any.contains(.infinity))
        XCTAssertFalse(NumberBounds.any.contains(.nan))
        XCTAssertTrue(IntegerBounds.nonNegative.contains(0))
        XCTAssertFalse(IntegerBounds.positive.contains(0))
    }

    func testDefaultsAreCoercedAndChecked() {
        XCTAssertEqual(specs[0].defaultValue, .value(.number(4)), "integer literal widened for a number")
        XCTAssertEqual(specs[4].defaultValue, .value([.number(1), .number(0.5)]))
        XCTAssertEqual(ParamSpec.problems(in: specs), [])
        let bad = [
            ParamSpec("T", .number(.positive), default: -1, doc: ""),
            ParamSpec("T", .boolean, default: false, doc: ""),
            ParamSpec("o", .object([ParamSpec("x", .string(), default: 3, doc: "")], shorthand: "y"), default: .absent, doc: ""),
        ]
        XCTAssertEqual(
            ParamSpec.problems(in: bad),
            [
                "T: default -1 is not a number > 0", "T: declared twice", "o.x: default 3 is not a string",
                "o: shorthand key 'y' is not declared",
            ])
        XCTAssertEqual(specs[0].defaultText, "4")
        XCTAssertEqual(specs[1].defaultText, "absent")
        XCTAssertEqual(specs[3].defaultText, #"["layer1", "layer2"]"#)
    }

    func testDefaultsAndTypedGetters() throws {
        let v = ParamValues(defaults: specs, path: "method")
        XCTAssertEqual(v.names, ["T", "mode", "taps", "weights", "cohort", "cache"])
        XCTAssertEqual(try v.double("T"), 4)
        XCTAssertEqual(try v.string("mode"), "a")
        XCTAssertEqual(try v.strings("taps"), ["layer1", "layer2"])
        XCTAssertEqual(try v.doubles("weights"), [1, 0.5])
        XCTAssertEqual(try v.models("cohort"), [ModelConfig(name: "lenet5")])
        XCTAssertFalse(try v.bool("cache"))
        XCTAssertNil(try v.optionalInt("epochs"))
        let w = v.setting("epochs", 7).setting("T", 2.5)
        XCTAssertEqual(try w.int("epochs"), 7)
        XCTAssertEqual(try w.double("epochs"), 7, "integers widen to numbers")
        XCTAssertEqual(try w.double("T"), 2.5)
        XCTAssertEqual(w.names.last, "epochs")
        XCTAssertEqual(Array(w.map(\.name)), w.names)
    }

    func testGetterErrorsNameThePath() {
        let v = ParamValues(defaults: specs, path: "method")
        XCTAssertThrowsError(try v.double("missing")) { XCTAssertEqual("\($0)", "method.missing: missing") }
        XCTAssertThrowsError(try v.int("T")) { XCTAssertEqual("\($0)", "method.T: expected an integer, found a number") }
        XCTAssertThrowsError(try v.doubles("taps")) {
            XCTAssertEqual("\($0)", "method.taps: expected a list of numbers, found a list")
        }
        var nested = ParamValues(path: "")
        nested["assistant"] = .object(ParamValues().setting("model", .model(ModelConfig(name: "resnet8"))))
        XCTAssertThrowsError(try nested.object("assistant").string("model")) {
            XCTAssertEqual("\($0)", "assistant.model: expected a string, found a model")
        }
        XCTAssertEqual(try nested.object("assistant").model("model").name, "resnet8")
    }

    func testCoerce() {
        XCTAssertEqual(ParamKind.number(.positive).coerce(3), .number(3))
        XCTAssertNil(ParamKind.number(.positive).coerce(0))
        XCTAssertNil(ParamKind.integer().coerce(2.5))
        XCTAssertEqual(ParamKind.model.coerce("lenet5"), .model(ModelConfig(name: "lenet5")))
        XCTAssertNil(ParamKind.model.coerce(.model(ModelConfig(name: "x", dropout: 1))))
        XCTAssertNil(ParamKind.list(.number(), count: 2).coerce([1]))
        XCTAssertNil(ParamKind.string(choices: ["a"]).coerce("b"))
        XCTAssertEqual(ParamValue.list([1, 2.5, "s", true]).text, #"[1, 2.5, "s", true]"#)
    }
}
