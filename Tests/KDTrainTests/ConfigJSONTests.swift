// JSON parser and writer: values, ordered keys, exact numbers, escapes, round trips, and
// syntax errors with line and column.

import KDTrain
import XCTest

final class ConfigJSONTests: XCTestCase {
    func parse(_ s: String) throws -> JSONValue { try JSONValue(parsing: s) }

    func syntaxError(_ s: String) -> String {
        do {
            _ = try JSONValue(parsing: s)
            return "(parsed)"
        } catch {
            return error.description
        }
    }

    func testScalarsAndKinds() throws {
        XCTAssertEqual(try parse("null"), .null)
        XCTAssertEqual(try parse(" true "), .bool(true))
        XCTAssertEqual(try parse("false"), .bool(false))
        XCTAssertEqual(try parse("42"), .int(42))
        XCTAssertEqual(try parse("-7"), .int(-7))
        XCTAssertEqual(try parse("1.0"), .number(1.0))
        XCTAssertEqual(try parse("5e-4"), .number(5e-4))
        XCTAssertEqual(try parse("1E+3"), .number(1000))
        XCTAssertEqual(try parse("9223372036854775807"), .int(Int.max))
        XCTAssertEqual(try parse("9223372036854775808"), .number(9223372036854775808.0))
        XCTAssertEqual(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#), .string("a\"b\\c/d\n\té😀"))
    }

    func testAccessors() throws {
        let v = try parse(#"{"i": 3, "r": 3.0, "h": 2.5, "b": true, "a": [1], "s": "x"}"#)
        XCTAssertEqual(v["i"]?.intValue, 3)
        XCTAssertEqual(v["r"]?.intValue, 3)
        XCTAssertNil(v["h"]?.intValue)
        XCTAssertEqual(v["h"]?.doubleValue, 2.5)
        XCTAssertEqual(v["b"]?.boolValue, true)
        XCTAssertEqual(v["a"]?.arrayValue, [1])
        XCTAssertEqual(v["s"]?.stringValue, "x")
        XCTAssertNil(v["missing"])
        var o = try XCTUnwrap(v.objectValue)
        o["i"] = nil
        o["z"] = 0
        XCTAssertEqual(o.keys, ["r", "h", "b", "a", "s", "z"])
    }

    func testObjectKeepsKeyOrder() throws {
        let v = try parse(#"{"z": 1, "a": [true, null], "m": {"y": 2, "b": 3}}"#)
        XCTAssertEqual(v.objectValue?.keys, ["z", "a", "m"])
        XCTAssertEqual(v["m"]?.objectValue?.keys, ["y", "b"])
        XCTAssertEqual(v.formatted(.compact), #"{"z":1,"a":[true,null],"m":{"y":2,"b":3}}"#)
    }

    func testNumberTextIsShortestAndRoundTrips() throws {
        let cases: [(Double, String)] = [
            (5e-4, "0.0005"), (0.1, "0.1"), (1e-12, "1e-12"), (3, "3"), (-2.5, "-2.5"),
            (1e20, "1e+20"), (0.30000000000000004, "0.30000000000000004"),
        ]
        for (x, text) in cases {
            XCTAssertEqual(JSONValue.numberText(x), text)
            XCTAssertEqual(try parse(text).doubleValue, x)
        }
        XCTAssertEqual(JSONValue.number(.nan).formatted(), "null")
    }

    func testRoundTripPrettyAndCompact() throws {
        let v: JSONValue = [
            "name": "t\u{01}\"é", "lr": 5e-4, "tiny": 1e-12, "big": .int(1 << 53 + 1), "neg": -3,
            "list": [0.9, 0.999], "empty": [], "obj": [:], "nested": [["a": 1], ["b": [1, 2]]],
            "emoji": "😀\u{7F}", "flag": false, "none": nil,
        ]
        for style in [JSONStyle.pretty, .compact] {
            XCTAssertEqual(try parse(v.formatted(style)), v)
        }
        XCTAssertFalse(v.formatted(.compact).contains("\n"))
        let pretty = v.formatted()
        XCTAssertTrue(pretty.contains("\n  \"lr\": 0.0005,\n"), pretty)
        XCTAssertTrue(pretty.contains("\"list\": [0.9, 0.999],"), pretty)
        XCTAssertTrue(pretty.contains(#""name": "t\u0001\"é""#), pretty)
    }

    func testSyntaxErrorsNameLineAndColumn() {
        XCTAssertEqual(syntaxError("{\n  \"a\": 1\n  \"b\": 2\n}"), "line 3, column 3: expected ',' or '}', found '\"'")
        XCTAssertEqual(syntaxError("{\"a\": 1,}"), "line 1, column 9: expected a string key (no trailing comma), found '}'")
        XCTAssertEqual(syntaxError("[1, 2,]"), "line 1, column 7: expected a value (no trailing comma), found ']'")
        XCTAssertEqual(syntaxError("{\"a\" 1}"), "line 1, column 6: expected ':', found '1'")
        XCTAssertEqual(syntaxError("{\"a\": True}"), "line 1, column 7: expected a value, found 'True'")
        XCTAssertEqual(syntaxError(""), "line 1, column 1: expected a value, found end of input")
        XCTAssertEqual(syntaxError("[1"), "line 1, column 3: expected ',' or ']', found end of input")
        XCTAssertEqual(
            syntaxError("01"), "line 1, column 2: expected '.', 'e' or the end of the number after a leading 0, found '1'")
        XCTAssertEqual(syntaxError("1."), "line 1, column 3: expected a digit after '.', found end of input")
        XCTAssertEqual(syntaxError("{} x"), "line 1, column 4: expected end of input, found 'x'")
        XCTAssertEqual(
            syntaxError("\"é\u{0A}\""), "line 1, column 3: expected a character or an escape, found control character U+000A")
        XCTAssertEqual(
            syntaxError(#""\x""#), "line 1, column 3: expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found 'x'")
        XCTAssertEqual(
            syntaxError(#""\ud83d""#), "line 1, column 8: expected a low surrogate \\uDC00-\\uDFFF after \\uD83D, found '\"'")
        XCTAssertEqual(syntaxError(#"{"a": 1, "a": 2}"#), "line 1, column 10: duplicate key \"a\"")
        XCTAssertEqual(syntaxError("1e999"), "line 1, column 1: expected a finite number, found 1e999")
        XCTAssertTrue(syntaxError(String(repeating: "[", count: 10_000)).contains("nesting deeper than 512"))
    }

    func testRejectsNonStandardForms() {
        for bad in ["NaN", "+1", ".5", "-", "'a'", "{a: 1}", "// c\n1", "[1,,2]", "\"\\u12\"", "tru", "nulls"] {
            XCTAssertThrowsError(try JSONValue(parsing: bad), bad)
        }
    }
}
