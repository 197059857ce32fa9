// ImbalanceConfigTests: `data.imbalance` in configs (beyond.md 3.4): the bare-number ratio, the object
// form, defaults, `--set`, the resolved JSON round trip, the schema and clear errors naming the key.

import KDTrain
import XCTest

final class ImbalanceConfigTests: XCTestCase {
    private func imbalance(_ value: String, overrides: [String] = []) throws -> ImbalanceConfig? {
        try ConfigFixtures.decode(
            #"{"data": {"dataset": "fashion-mnist", "imbalance": \#(value)}, "model": "lenet5", "seed": 3}"#,
            overrides: overrides
        )
        .data.imbalance
    }

    func testShorthandObjectAndDefaults() throws {
        XCTAssertEqual(try imbalance("100"), ImbalanceConfig(ratio: 100, seed: 3))
        XCTAssertEqual(try imbalance("{}"), ImbalanceConfig(ratio: 100, seed: 3), "ratio 100 by default")
        XCTAssertEqual(
            try imbalance(#"{"ratio": 10, "order": [6, 0, 1, 2, 3, 4, 5, 7, 8, 9], "seed": 9}"#),
            ImbalanceConfig(ratio: 10, order: [6, 0, 1, 2, 3, 4, 5, 7, 8, 9], seed: 9))
        XCTAssertEqual(try imbalance("1"), ImbalanceConfig(ratio: 1, seed: 3), "ratio 1: the balanced control")
        XCTAssertNil(try ConfigFixtures.decode(ConfigFixtures.minimal).data.imbalance)
        XCTAssertEqual(
            try ConfigFixtures.decode(ConfigFixtures.minimal, overrides: ["data.imbalance=50"]).data.imbalance,
            ImbalanceConfig(ratio: 50, seed: 0))
        XCTAssertEqual(try imbalance("100", overrides: ["data.imbalance.seed=4"]), ImbalanceConfig(ratio: 100, seed: 4))
    }

    func testResolvedJSONRoundTrip() throws {
        for value in ["100", #"{"ratio": 2.5, "order": [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]}"#] {
            let first = try ConfigFixtures.decode(
                #"{"data": {"dataset": "fashion-mnist", "imbalance": \#(value)}, "model": "lenet5"}"#)
            let written = first.resolvedJSON.formatted()
            let second = try ExperimentConfig.decode(
                text: written, source: "config.json", defaultName: "x", context: ConfigFixtures.context)
            XCTAssertEqual(second.data, first.data, value)
            XCTAssertEqual(second.resolvedJSON.formatted(), written)
        }
    }

    func testSchemaListsTheKeys() {
        for key in ["data.imbalance", "data.imbalance.ratio", "data.imbalance.order", "data.imbalance.seed"] {
            XCTAssertTrue(ConfigSchema.keyPaths.contains(key), key)
        }
        let schema = ConfigSchema.jsonSchema(context: ConfigFixtures.context)
        XCTAssertNotNil(schema["properties"]?["data"]?["properties"]?["imbalance"])
    }

    func testImbalanceErrorsNameTheKey() {
        func fail(_ value: String, dataset: String = "fashion-mnist", labels: String = "fine") -> String {
            ConfigFixtures.failure(
                #"{"data": {"dataset": "\#(dataset)", "labels": "\#(labels)", "imbalance": \#(value)}, "model": "lenet5"}"#)
        }
        XCTAssertEqual(fail("0.5"), "configs/x.json: data.imbalance.ratio: expected a number >= 1, found 0.5")
        XCTAssertEqual(
            fail(#"{"order": [0, 1, 2]}"#),
            "configs/x.json: data.imbalance.order: expected each class of fashion-mnist once (a permutation of 0..9), found [0,1,2]"
        )
        XCTAssertEqual(
            fail(#"{"order": [0, 1, 2, 3, 4, 5, 6, 7, 8, 8]}"#),
            "configs/x.json: data.imbalance.order: expected each class of fashion-mnist once (a permutation of 0..9), "
                + "found [0,1,2,3,4,5,6,7,8,8]")
        XCTAssertTrue(
            fail(#"{"order": [19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]}"#, dataset: "cifar100")
                .contains("a permutation of 0..99"))
        XCTAssertEqual(
            fail(
                #"{"order": [19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]}"#, dataset: "cifar100",
                labels: "coarse"),
            "(decoded without error)", "coarse labels: 20 classes")
        XCTAssertTrue(fail(#"{"ratio": 10, "tail": 3}"#).hasPrefix("configs/x.json: data.imbalance.tail: unknown key"))
        XCTAssertEqual(fail(#""steep""#), "configs/x.json: data.imbalance: expected an object or a ratio number, found \"steep\"")
    }
}
