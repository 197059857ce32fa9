// InfoCommandTests: the commands that only print: `validate` (the resolved config with defaults),
// `schema` (valid JSON naming every method parameter, equal to configs/schema.json), `models`, `methods`
// (every method with its parameters), `--version`, `--help`, `help distill`, `COMMAND --help`.

import Foundation
import TestSupport
import XCTest

final class InfoCommandTests: CLITestCase {
    /// `kdistill methods` as (name, parameter names) in listed order.
    static func methodList(_ text: String) -> [(name: String, params: [String])] {
        var out: [(String, [String])] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }  // the combine rule follows the list
            if line.hasPrefix(" ") {
                guard !out.isEmpty, let p = line.split(separator: " ").first else { continue }
                out[out.count - 1].1.append(String(p))
            } else if let name = line.split(separator: ":").first {
                out.append((String(name), []))
            }
        }
        return out
    }

    func testValidatePrintsTheResolvedConfig() throws {
        try writeJSON(
            ["data": ["dataset": "fashion-mnist"], "teacher": "t.safetensors", "student": "lenet5", "method": "kd"], to: "kd.json"
        )
        let r = try kdistillOK(["validate", "kd.json", "--set", "epochs=7", "--set", "method.T=2"])
        let c = try Self.parseObject(r.stdout, source: "validate")
        XCTAssertEqual(c["name"] as? String, "kd")
        XCTAssertEqual(c["epochs"] as? Int, 7)
        XCTAssertNotNil(c["batch_size"] as? Int)
        XCTAssertEqual((c["data"] as? [String: Any])?["dir"] as? String, "data/fashion-mnist")
        XCTAssertEqual((c["output"] as? [String: Any])?["dir"] as? String, "runs/kd")
        let opt = try XCTUnwrap(c["optimizer"] as? [String: Any])
        for key in ["name", "lr", "momentum", "weight_decay"] { XCTAssertNotNil(opt[key], "optimizer.\(key)") }
        let method = try XCTUnwrap(c["method"] as? [String: Any])
        XCTAssertEqual(method["name"] as? String, "kd")
        XCTAssertEqual(method["T"] as? Double, 2)
        XCTAssertEqual(method["ce_weight"] as? Double, 0.1)
        XCTAssertEqual(method["kd_weight"] as? Double, 0.9)
        XCTAssertEqual((c["teacher"] as? [String: Any])?["checkpoint"] as? String, "t.safetensors")
        XCTAssertEqual((c["student"] as? [String: Any])?["name"] as? String, "lenet5")

        let sp = try Self.parseObject(
            try kdistillOK(["validate", "kd.json", "--method", "sp"]).stdout, source: "validate --method")
        let spMethod = try XCTUnwrap(sp["method"] as? [String: Any])
        XCTAssertEqual(spMethod["name"] as? String, "sp")
        XCTAssertEqual(spMethod["gamma"] as? Double, 3000)
        XCTAssertNil(spMethod["T"], "--method keeps only the parameters the new method declares")
    }

    func testSchemaIsJSONNamingEveryMethodAndParameter() throws {
        let schema = try kdistillOK(["schema"]).stdout
        let object = try Self.parseObject(schema, source: "schema")
        XCTAssertNotNil(object["properties"] as? [String: Any])
        let methods = Self.methodList(try kdistillOK(["methods"]).stdout)
        XCTAssertFalse(methods.isEmpty)
        for (name, params) in methods {
            XCTAssertTrue(schema.contains("\"const\": \"\(name)\""), "schema lacks method \(name)")
            for p in params { XCTAssertTrue(schema.contains("\"\(p)\""), "schema lacks \(name).\(p)") }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("configs/schema.json"), encoding: .utf8)
        let (a, b) = (committed.split(separator: "\n"), schema.split(separator: "\n"))
        if let k = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] })
            ?? (a.count == b.count ? nil : min(a.count, b.count))
        {
            XCTFail(
                "configs/schema.json is stale from line \(k + 1) (\(k < a.count ? a[k] : "end of file")); "
                    + "regenerate it with `.build/release/kdistill schema > configs/schema.json`")
        }
    }

    func testMethodsListsEveryMethodWithParameters() throws {
        let methods = Self.methodList(try kdistillOK(["methods"]).stdout)
        let names = methods.map(\.name)
        for expected in ["kd", "rkd", "sp", "dml", "eskd", "ban", "ensemble", "takd"] {
            XCTAssertTrue(names.contains(expected), "methods lacks \(expected): \(names)")
        }
        XCTAssertEqual(Set(names).count, names.count, "a method is listed twice")
        for (name, params) in methods { XCTAssertFalse(params.isEmpty, "\(name) lists no parameters") }
        let text = try kdistillOK(["methods"]).stdout
        XCTAssertTrue(text.contains("default"), text)
        XCTAssertTrue(text.contains("Hinton et al. 2015"), text)
    }

    func testModelsListsTheZooWithSizes() throws {
        let r = try kdistillOK(["models", "--input", "1x28x28", "--model", "mlp-64"])
        var rows: [String: Int] = [:]
        for line in r.stdoutLines.dropFirst() {
            let f = line.split(separator: " ")
            if f.count == 3, let p = Int(f[1]), Double(f[2]) != nil { rows[String(f[0])] = p }
        }
        for name in ["lenet5", "resnet8", "resnet20", "wrn-16-1", "mlp-64"] {
            XCTAssertNotNil(rows[name], "models lacks \(name): \(r)")
        }
        XCTAssertEqual(rows["mlp-64"], 784 * 64 + 64 + 64 * 10 + 10)
        XCTAssertLessThan(rows["resnet8"] ?? 0, rows["resnet20"] ?? 0)
        XCTAssertTrue(r.stdoutLines.last?.contains("1x28x28") ?? false, "\(r)")
        XCTAssertTrue(try kdistillOK(["models"]).stdout.contains("resnet32x4"))
    }

    func testVersionAndHelp() throws {
        let version = try kdistillOK(["--version"])
        XCTAssertTrue(version.stdout.hasPrefix("kdistill "), "\(version)")
        XCTAssertEqual(version.stdoutLines.count, 1)
        let help = try kdistillOK(["--help"]).stdout
        XCTAssertEqual(try kdistillOK(["-h"]).stdout, help)
        XCTAssertEqual(try kdistillOK(["help"]).stdout, help)
        for command in ["train-teacher", "distill", "eval", "download", "validate", "models", "methods", "schema", "--threads"] {
            XCTAssertTrue(help.contains(command), "--help lacks \(command)")
        }
        let distill = try kdistillOK(["help", "distill"]).stdout
        XCTAssertEqual(try kdistillOK(["distill", "--help"]).stdout, distill)
        XCTAssertTrue(distill.hasPrefix("Usage: kdistill distill CONFIG"), distill)
        for option in ["--method", "--set", "--resume", "--json", "--threads"] {
            XCTAssertTrue(distill.contains(option), distill)
        }
        for command in ["train-teacher", "eval", "download", "validate", "models", "methods", "schema"] {
            let text = try kdistillOK([command, "--help"]).stdout
            XCTAssertTrue(text.hasPrefix("Usage: kdistill \(command)"), text)
            XCTAssertFalse(text.contains("kdistill \(command) kdistill"), "usage repeats the command: \(text)")
            XCTAssertFalse(text.contains("(repeatable) (repeatable)"), text)
        }
    }
}
