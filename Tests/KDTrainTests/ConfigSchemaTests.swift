// The JSON Schema export (and the committed configs/schema.json), the declarations' soundness,
// Levenshtein suggestions and the default model-name rules.

import Foundation
import KDMethods
import KDTrain
import XCTest

final class ConfigSchemaTests: XCTestCase {
    static let committedSchema = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../configs/schema.json").standardized

    /// The `properties` reachable from a schema node (through `anyOf`, `allOf`/`then` and `$ref`).
    func properties(_ node: JSONValue?, root: JSONValue) -> [String: JSONValue] {
        guard case .object(let o)? = node else { return [:] }
        if case .string(let ref)? = o["$ref"], ref.hasPrefix("#/$defs/") {
            return properties(root["$defs"]?[String(ref.dropFirst(8))], root: root)
        }
        var out: [String: JSONValue] = [:]
        for (k, v) in o["properties"]?.objectValue ?? JSONObject() { out[k] = v }
        for key in ["anyOf", "allOf"] {
            guard case .array(let items)? = o[key] else { continue }
            for item in items {
                for (k, v) in properties(item, root: root) { out[k] = v }
                for (k, v) in properties(item["then"], root: root) { out[k] = v }
            }
        }
        return out
    }

    func assertMentionsEveryKey(
        _ schema: JSONValue, methods: [String: [ParamSpec]] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        for path in ConfigSchema.keyPaths {
            var node: JSONValue? = schema
            for key in path.split(separator: ".") { node = properties(node, root: schema)[String(key)] }
            XCTAssertNotNil(node, "schema lacks \(path)", file: file, line: line)
        }
        for (_, specs) in methods {
            for spec in specs {
                XCTAssertNotNil(
                    properties(properties(schema, root: schema)["method"], root: schema)[spec.name],
                    "schema lacks method.\(spec.name)", file: file, line: line)
            }
        }
    }

    func testDeclarationsAreSound() {
        XCTAssertEqual(ParamSpec.problems(in: ConfigSchema.fields), [])
        XCTAssertEqual(ParamSpec.problems(in: ModelConfig.specs), [])
        XCTAssertTrue(ConfigSchema.keyPaths.contains("data.augment.crop_padding"))
        XCTAssertTrue(ConfigSchema.keyPaths.contains("teacher.model.dropout"))
    }

    func testGeneratedSchemaMentionsEveryKey() throws {
        let schema = ConfigSchema.jsonSchema(context: ConfigFixtures.context)
        XCTAssertEqual(schema["$schema"], "https://json-schema.org/draft/2020-12/schema")
        assertMentionsEveryKey(schema, methods: ConfigFixtures.context.methods)
        XCTAssertEqual(schema["properties"]?["optimizer"]?["properties"]?["lr"]?["exclusiveMinimum"], .number(0))
        XCTAssertEqual(schema["properties"]?["optimizer"]?["properties"]?["lr"]?["default"], 0.05)
        XCTAssertEqual(
            schema["properties"]?["data"]?["properties"]?["dataset"]?["enum"],
            ["mnist", "fashion-mnist", "cifar10", "cifar100"])
        let text = schema.formatted()
        XCTAssertEqual(try JSONValue(parsing: text).formatted(), text)
    }

    func testCommittedSchemaIsValidAndComplete() throws {
        let text = try String(contentsOf: Self.committedSchema, encoding: .utf8)
        let schema = try JSONValue(parsing: text)
        XCTAssertEqual(schema["$schema"], "https://json-schema.org/draft/2020-12/schema")
        assertMentionsEveryKey(schema)
    }

    func testLevenshteinAndSuggestions() {
        XCTAssertEqual(Suggestions.levenshtein("", "abc"), 3)
        XCTAssertEqual(Suggestions.levenshtein("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestions.levenshtein("moment", "momentum"), 2)
        XCTAssertEqual(Suggestions.levenshtein("é", "e"), 1)
        XCTAssertEqual(Suggestions.closest(to: "moment", among: ["name", "lr", "momentum", "nesterov"]), "momentum")
        XCTAssertEqual(Suggestions.typoDistance("mnsit", "mnist"), 1, "an adjacent swap is one typo")
        XCTAssertEqual(Suggestions.typoDistance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestions.closest(to: "mnsit", among: ["mnist", "fashion-mnist"]), "mnist")
        XCTAssertEqual(Suggestions.closest(to: "resnet21", among: ModelNames.examples), "resnet20")
        XCTAssertEqual(Suggestions.closest(to: "Epochs", among: ["epochs"]), "epochs")
        XCTAssertEqual(Suggestions.closest(to: "optim", among: ["output", "optimizer"]), "optimizer")
        XCTAssertNil(Suggestions.closest(to: "learning_rate", among: ["lr", "momentum"]))
    }

    func testModelNameRules() {
        for good in [
            "mlp-1200-1200", "mlp-800-800", "mlp-10", "lenet5", "resnet8", "resnet110", "resnet8x4", "resnet32x4",
            "wrn-16-2", "wrn-40-1", "wrn-10-8",
        ] {
            XCTAssertTrue(ModelNames.isZooName(good), good)
        }
        for bad in [
            "mlp", "mlp-", "mlp-0", "mlp-08", "mlp-1-", "lenet", "resnet21", "resnet20x4", "resnet", "wrn-15-2",
            "wrn-4-1", "wrn-16-0", "wrn-16", "MLP-10", "resnet-20", "",
        ] {
            XCTAssertFalse(ModelNames.isZooName(bad), bad)
        }
        XCTAssertTrue(ModelNames.examples.allSatisfy(ModelNames.isZooName))
    }
}
