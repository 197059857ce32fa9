// LabeledConfigTests: `data.labeled` in configs: the bare-number shorthand (a fraction below 1, a
// count from 1), the object form, defaults, `--set`, the resolved JSON round trip and clear errors.

import KDData
import KDMethods
import KDTrain
import XCTest

final class LabeledConfigTests: XCTestCase {
    private func labeled(_ value: String, overrides: [String] = []) throws -> LabeledConfig? {
        try ConfigFixtures.decode(
            #"{"data": {"dataset": "mnist", "labeled": \#(value)}, "model": "lenet5", "seed": 3}"#, overrides: overrides
        )
        .data.labeled
    }

    func testShorthandsAndObject() throws {
        XCTAssertEqual(try labeled("0.05"), LabeledConfig(amount: .fraction(0.05), seed: 3))
        XCTAssertEqual(try labeled("600"), LabeledConfig(amount: .count(600), seed: 3))
        XCTAssertEqual(try labeled("1"), LabeledConfig(amount: .count(1), seed: 3), "1 is one image, not all of them")
        XCTAssertEqual(
            try labeled(#"{"per_class": 10, "seed": 9, "per_batch": 31, "ce_reduction": "labeled"}"#),
            LabeledConfig(amount: .perClass(10), seed: 9, perBatch: 31, ceReduction: .labeled))
        XCTAssertEqual(try labeled(#"{"fraction": 1}"#), LabeledConfig(amount: .fraction(1), seed: 3))
        XCTAssertNil(try ConfigFixtures.decode(ConfigFixtures.minimal).data.labeled)
    }

    func testOverrides() throws {
        let base = #"{"data": {"dataset": "mnist"}, "model": "lenet5"}"#
        XCTAssertEqual(try ConfigFixtures.decode(base, overrides: ["data.labeled=0.1"]).data.labeled?.amount, .fraction(0.1))
        XCTAssertEqual(
            try labeled("0.1", overrides: ["data.labeled.per_batch=16"]),
            LabeledConfig(amount: .fraction(0.1), seed: 3, perBatch: 16), "a key set inside the bare-number form")
    }

    func testResolvedJSONRoundTrip() throws {
        for value in ["0.05", "600", #"{"per_class": 10, "per_batch": 31, "ce_reduction": "labeled"}"#] {
            let first = try ConfigFixtures.decode(#"{"data": {"dataset": "mnist", "labeled": \#(value)}, "model": "lenet5"}"#)
            let written = first.resolvedJSON.formatted()
            let second = try ExperimentConfig.decode(
                text: written, source: "config.json", defaultName: "x", context: ConfigFixtures.context)
            XCTAssertEqual(second.data, first.data, value)
            XCTAssertEqual(second.resolvedJSON.formatted(), written)
        }
    }

    func testErrorsNameTheKey() {
        func fail(_ value: String) -> String {
            ConfigFixtures.failure(#"{"data": {"dataset": "mnist", "labeled": \#(value)}, "model": "lenet5"}"#)
        }
        XCTAssertEqual(fail("0"), "configs/x.json: data.labeled.size: expected a number > 0, found 0")
        XCTAssertEqual(fail("2.5"), "configs/x.json: data.labeled.size: expected a fraction below 1 or a whole count, found 2.5")
        XCTAssertEqual(
            fail(#"{"count": 5, "fraction": 0.5}"#),
            "configs/x.json: data.labeled: expected exactly one of size, count, fraction and per_class, found count and fraction")
        XCTAssertEqual(
            fail(#"{"seed": 1}"#),
            "configs/x.json: data.labeled: expected exactly one of size, count, fraction and per_class, found none")
        XCTAssertEqual(fail(#"{"fraction": 0}"#), "configs/x.json: data.labeled.fraction: expected a number in (0, 1], found 0")
        XCTAssertTrue(
            fail(#"{"count": 5, "ce_reduction": "mean"}"#).contains("data.labeled.ce_reduction: expected one of batch, labeled"))
        XCTAssertEqual(fail(#""many""#), "configs/x.json: data.labeled: expected an object or a size number, found \"many\"")
    }
}
