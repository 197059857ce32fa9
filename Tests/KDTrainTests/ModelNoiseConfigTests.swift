// ModelNoiseConfigTests: the model keys `head_dropout` and `stochastic_depth`: ranges, stochastic depth
// refused for models without residual blocks (one line naming the key and the model), the resolved
// JSON (keys written only when set, so older configs resolve as before), the schema and the model spec.

import KDMethods
import KDNN
import KDTrain
import XCTest

final class ModelNoiseConfigTests: XCTestCase {
    func fail(_ body: String) -> String {
        ConfigFixtures.failure(#"{"data": {"dataset": "mnist"}, "#.appending(body).appending("}"))
    }

    func testRangesAndResidualOnly() {
        XCTAssertEqual(
            fail(#""student": {"name": "lenet5", "stochastic_depth": 0.8}"#),
            "configs/x.json: student.stochastic_depth: expected 1 for model 'lenet5' (stochastic depth needs residual "
                + "blocks: resnet*, wrn-*), found 0.8")
        XCTAssertEqual(
            fail(#""model": {"name": "mlp-800-800", "stochastic_depth": 0.5}"#),
            "configs/x.json: model.stochastic_depth: expected 1 for model 'mlp-800-800' (stochastic depth needs residual "
                + "blocks: resnet*, wrn-*), found 0.5")
        XCTAssertEqual(
            fail(#""student": {"name": "resnet8", "stochastic_depth": 0}"#),
            "configs/x.json: student.stochastic_depth: expected a number in (0, 1], found 0")
        XCTAssertEqual(
            fail(#""student": {"name": "resnet8", "stochastic_depth": 1.2}"#),
            "configs/x.json: student.stochastic_depth: expected a number in (0, 1], found 1.2")
        XCTAssertEqual(
            fail(#""student": {"name": "lenet5", "head_dropout": 1}"#),
            "configs/x.json: student.head_dropout: expected a number in [0, 1), found 1")
        XCTAssertEqual(
            fail(#""student": {"name": "lenet5", "head_dropot": 0.5}"#),
            "configs/x.json: student.head_dropot: unknown key; did you mean 'head_dropout'?")
        // stochastic_depth 1 (off) is fine for any model; --set reaches the keys too.
        XCTAssertEqual(
            fail(#""student": {"name": "lenet5", "stochastic_depth": 1, "head_dropout": 0.5}"#), "(decoded without error)")
        XCTAssertTrue(
            ConfigFixtures.failure(
                #"{"data": {"dataset": "mnist"}, "model": {"name": "lenet5"}}"#, overrides: ["model.stochastic_depth=0.5"]
            ).contains("model.stochastic_depth (from --set): expected 1 for model 'lenet5'"))
    }

    func testDecodedAndResolved() throws {
        let text = #"{"data": {"dataset": "mnist"}, "model": {"name": "wrn-16-2", "head_dropout": 0.5, "stochastic_depth": 0.8}}"#
        let config = try ConfigFixtures.decode(text)
        XCTAssertEqual(config.model, ModelConfig(name: "wrn-16-2", dropout: 0, headDropout: 0.5, stochasticDepth: 0.8))
        XCTAssertEqual(
            config.resolvedJSON["model"], ["name": "wrn-16-2", "dropout": 0.0, "head_dropout": 0.5, "stochastic_depth": 0.8])
        let again = try ConfigFixtures.decode(config.resolvedJSON.formatted())
        XCTAssertEqual(again.model, config.model, "the resolved JSON decodes to the same model")
        // Without the keys the model object resolves exactly as before they existed.
        let plain = try ConfigFixtures.decode(ConfigFixtures.minimal)
        XCTAssertEqual(plain.resolvedJSON["model"], ["name": "lenet5", "dropout": 0.0])
        XCTAssertEqual(plain.model, ModelConfig(name: "lenet5"))
        XCTAssertEqual(plain.model?.stochasticDepth, 1)
    }

    func testSchemaDeclaresTheKeys() throws {
        let schema = ConfigSchema.jsonSchema(context: ConfigFixtures.context)
        let properties = try XCTUnwrap(schema["$defs"]?["model"]?["anyOf"]?.arrayValue?.last?["properties"])
        XCTAssertEqual(properties["head_dropout"]?["exclusiveMaximum"], 1.0)
        XCTAssertEqual(properties["head_dropout"]?["default"], 0.0)
        XCTAssertEqual(properties["stochastic_depth"]?["exclusiveMinimum"], 0.0)
        XCTAssertEqual(properties["stochastic_depth"]?["maximum"], 1.0)
        XCTAssertEqual(properties["stochastic_depth"]?["default"], 1.0)
    }
}
