// The JSON Schema export (and the committed configs/schema.json), the declarations' soundness,
// Levenshtein suggestions, and the schema's model-name pattern against the zoo's rule.

import Foundation
import KDMethods
import KDNN
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
        XCTAssertEqual(Suggestions.closest(to: "resnet21", among: Zoo.listedNames), "resnet20")
        XCTAssertEqual(Suggestions.closest(to: "Epochs", among: ["epochs"]), "epochs")
        XCTAssertEqual(Suggestions.closest(to: "optim", among: ["output", "optimizer"]), "optimizer")
        XCTAssertNil(Suggestions.closest(to: "learning_rate", among: ["lr", "momentum"]))
        // A tie in typo distance goes to the plain Levenshtein distance: `kdd` is a doubled letter of kd, not dkd swapped.
        XCTAssertEqual(Suggestions.closest(to: "kdd", among: ["dkd", "kd"]), "kd")
    }

    /// Names around every edge of the zoo's rule: all depths to past the limit, widths, signs, zeros, case.
    static let candidateNames: [String] = {
        var names = [
            "", "lenet5", "lenet", "lenet50", "LeNet5", "mlp", "mlp-", "mlp-0", "mlp-08", "mlp-1-", "mlp--1",
            "mlp-+5", "mlp-10", "mlp-800-800", "mlp-1200-1200", "mlp-999999999", "mlp-1000000000", "MLP-10", "resnet",
            "resnetx4", "resnet-20", "resnet+14", "resnet014", "resnet20x8", "resnet20x4x4", "Resnet20", " resnet20",
            "resnet20 ", "wrn", "wrn-16", "wrn-16-2-1", "wrn--16-2", "wrn-16-02", "wrn-016-2", "wrn-16-+2", "wrn-16-x",
            "wrn-16-999999999", "wrn-16-1000000000", "vgg16", "x4",
        ]
        for depth in 0...1310 {
            names += ["resnet\(depth)", "resnet\(depth)x4", "wrn-\(depth)-1", "wrn-\(depth)-2", "wrn-\(depth)-0"]
        }
        return names
    }()

    /// Whether the JSON Schema regular expression `pattern` matches the whole of `name`.
    func schemaAccepts(_ pattern: String, _ name: String) throws -> Bool {
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
    }

    func testSchemaAcceptsExactlyTheNamesTheZooBuilds() throws {
        let generated = ConfigSchema.jsonSchema(context: ConfigLoading.context)
        let committed = try JSONValue(parsing: String(contentsOf: Self.committedSchema, encoding: .utf8))
        for (label, schema) in [("kdistill schema", generated), ("configs/schema.json", committed)] {
            let pattern = try XCTUnwrap(schema["$defs"]?["model_name"]?["pattern"]?.stringValue, label)
            var accepted = 0
            for name in Self.candidateNames {
                let zoo = Zoo.isValidName(name)
                XCTAssertEqual(try schemaAccepts(pattern, name), zoo, "\(label): '\(name)' (zoo: \(zoo))")
                accepted += zoo ? 1 : 0
            }
            XCTAssertGreaterThan(accepted, 600, "the candidates cover many valid names")  // 2 x 200 resnets, 2 x 199 wrns
        }
        XCTAssertTrue(Zoo.listedNames.allSatisfy(Zoo.isValidName))
        XCTAssertTrue(ConfigContext().isKnownModel("resnet26x4"), "the default context asks the zoo")
    }
}
