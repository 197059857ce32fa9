// SearchSpace: the search-space file of `kdistill tune` (beyond.md 4.2): an optional `tune` block of
// study settings and `params`, dotted key paths into the resolved config, each with a distribution
// and an optional `when` condition on an earlier key. Parsing errors name the file and the key.

import Foundation
import KDJSON

/// How one key's values are drawn (bounds inclusive).
public enum Distribution: Equatable, Sendable {
    /// `values[floor(u·n)]`.
    case choice([JSONValue])
    /// `low + u·(high − low)`.
    case uniform(low: Double, high: Double)
    /// `exp(ln low + u·(ln high − ln low))`.
    case loguniform(low: Double, high: Double)
    /// `low + step·floor(u·(⌊(high−low)/step⌋ + 1))`; with `log`, log-uniform over [low − ½, high + ½) rounded (step 1).
    case int(low: Int, high: Int, step: Int, log: Bool)
}

/// One searched key.
public struct SearchParam: Equatable, Sendable {
    /// `method.T`.
    public var key: String
    /// `["method", "T"]`.
    public var path: [String] { key.split(separator: ".").map(String.init) }
    public var distribution: Distribution
    /// Sampled only if each named earlier key took one of the listed values (`"when": {"method.name": ["at+kd"]}`).
    public var when: [(key: String, values: [JSONValue])]

    public static func == (a: SearchParam, b: SearchParam) -> Bool {
        a.key == b.key && a.distribution == b.distribution && a.when.map(\.key) == b.when.map(\.key)
            && a.when.map(\.values) == b.when.map(\.values)
    }
}

/// A parsed search-space file.
public struct SearchSpace: Equatable, Sendable {
    /// The file (prefixed to errors).
    public var source: String
    /// The `tune` block as written (settings the command-line flags override).
    public var tune: JSONObject
    /// The keys in file order (the order values are drawn in).
    public var params: [SearchParam]
    /// The file's JSON, as study.json records it.
    public var json: JSONValue

    /// Reads and parses the file at `path`.
    public static func load(_ path: String) throws(ConfigError) -> SearchSpace {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file as UTF-8 text" : "no such file"
            throw ConfigError(source: path, message: reason)
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch { throw ConfigError(source: path, message: error.description) }
        return try SearchSpace(json, source: path)
    }

    /// Parses a space's JSON; `source` names it in errors.
    public init(_ json: JSONValue, source: String) throws(ConfigError) {
        (self.source, self.json) = (source, json)
        func fail(_ path: String, _ message: String) -> ConfigError { ConfigError(source: source, path: path, message: message) }
        guard let root = json.objectValue else { throw fail("", "expected an object with \"params\", found \(json.typeName)") }
        for key in root.keys where key != "tune" && key != "params" && key != "$schema" {
            throw fail(key, "unknown key (expected \"tune\" or \"params\")")
        }
        switch root["tune"] {
        case nil: tune = JSONObject()
        case .object(let o)?: tune = o
        case let other?: throw fail("tune", "expected an object, found \(other.typeName)")
        }
        guard case .object(let params)? = root["params"], !params.isEmpty else {
            throw fail("params", "expected an object of searched keys, found \(root["params"]?.typeName ?? "none")")
        }
        var parsed: [SearchParam] = []
        for (key, value) in params {
            let at = "params." + key
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            if parts.contains(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) }) {
                throw fail(at, "expected a dotted key path such as optimizer.lr")
            }
            guard let spec = value.objectValue else {
                throw fail(at, "expected an object with \"type\", found \(value.typeName)")
            }
            let distribution = try Self.distribution(spec, at: at, fail: fail)
            let when = try Self.condition(spec["when"], at: at + ".when", earlier: parsed.map(\.key), fail: fail)
            parsed.append(SearchParam(key: key, distribution: distribution, when: when))
        }
        self.params = parsed
        // The checkpoints kept_epochs found are part of the space (and of study.json's hash): a teacher run that
        // keeps more files later is another space, not silently other trials.
        var recorded = params
        for param in parsed where params[param.key]?["type"]?.stringValue == "kept_epochs" {
            if case .choice(let values) = param.distribution, case .object(var spec)? = recorded[param.key] {
                spec["found"] = .array(values)
                recorded[param.key] = .object(spec)
            }
        }
        var root2 = root
        root2["params"] = .object(recorded)
        self.json = .object(root2)
    }

    static func distribution(
        _ spec: JSONObject, at: String, fail: (String, String) -> ConfigError
    ) throws(ConfigError) -> Distribution {
        guard let type = spec["type"]?.stringValue else {
            throw fail(
                at + ".type",
                "expected one of choice, uniform, loguniform, int, kept_epochs, found \(spec["type"]?.typeName ?? "none")")
        }
        let allowed: Set<String> =
            switch type {
            case "choice": ["type", "values", "when"]
            case "int": ["type", "low", "high", "step", "log", "when"]
            case "kept_epochs": ["type", "run", "epochs", "when"]
            default: ["type", "low", "high", "when"]
            }
        for key in spec.keys where !allowed.contains(key) {
            throw fail(at + "." + key, "unknown key for type \(type) (expected \(allowed.sorted().joined(separator: ", ")))")
        }
        func number(_ key: String) throws(ConfigError) -> Double {
            guard let v = spec[key]?.doubleValue, v.isFinite else {
                throw fail(at + "." + key, "expected a number, found \(spec[key]?.typeName ?? "none")")
            }
            return v
        }
        switch type {
        case "choice":
            guard case .array(let values)? = spec["values"], !values.isEmpty else {
                throw fail(at + ".values", "expected a non-empty array, found \(spec["values"]?.typeName ?? "none")")
            }
            return .choice(values)
        case "uniform", "loguniform":
            let (low, high) = (try number("low"), try number("high"))
            if low > high { throw fail(at + ".high", "expected a number ≥ low (\(low)), found \(high)") }
            if type == "loguniform" && low <= 0 { throw fail(at + ".low", "expected a number > 0 (loguniform), found \(low)") }
            return type == "uniform" ? .uniform(low: low, high: high) : .loguniform(low: low, high: high)
        case "int":
            guard let low = spec["low"]?.intValue, let high = spec["high"]?.intValue else {
                throw fail(at + (spec["low"]?.intValue == nil ? ".low" : ".high"), "expected an integer")
            }
            let step = spec["step"].map { $0.intValue ?? 0 } ?? 1
            let log = spec["log"]?.boolValue ?? false
            if spec["log"] != nil && spec["log"]?.boolValue == nil { throw fail(at + ".log", "expected true or false") }
            if low > high { throw fail(at + ".high", "expected an integer ≥ low (\(low)), found \(high)") }
            if step < 1 { throw fail(at + ".step", "expected an integer ≥ 1") }
            if log && (step != 1 || low < 1) { throw fail(at + ".log", "expected step 1 and low ≥ 1 with a log scale") }
            return .int(low: low, high: high, step: step, log: log)
        case "kept_epochs":
            return .choice(try keptEpochs(spec, at: at, fail: fail).map(JSONValue.string))
        default:
            throw fail(
                at + ".type", "expected one of choice, uniform, loguniform, int, kept_epochs, found \"\(type)\"")
        }
    }

    static func condition(
        _ value: JSONValue?, at: String, earlier: [String], fail: (String, String) -> ConfigError
    ) throws(ConfigError) -> [(key: String, values: [JSONValue])] {
        guard let value else { return [] }
        guard let object = value.objectValue, !object.isEmpty else {
            throw fail(at, "expected an object such as {\"method.name\": [\"at+kd\"]}, found \(value.typeName)")
        }
        var result: [(key: String, values: [JSONValue])] = []
        for (key, listed) in object {
            guard earlier.contains(key) else {
                throw fail(at + "." + key, "expected a key searched earlier in params, found none named \(key)")
            }
            guard case .array(let values) = listed, !values.isEmpty else {
                throw fail(at + "." + key, "expected a non-empty array of values, found \(listed.typeName)")
            }
            result.append((key, values))
        }
        return result
    }

    /// `kept_epochs` (Cho & Hariharan's early-stopped teachers): the checkpoints a teacher run kept with
    /// `output.keep_every`, as a choice of paths: `epochs` lists epoch numbers and "best"/"latest" (default:
    /// every epoch-NNN file the run holds when the study starts, in epoch order, then best).
    static func keptEpochs(_ spec: JSONObject, at: String, fail: (String, String) -> ConfigError) throws(ConfigError) -> [String]
    {
        guard let path = spec["run"]?.stringValue, !path.isEmpty else {
            throw fail(at + ".run", "expected a teacher run directory (trained with output.keep_every), found none")
        }
        let run = RunDirectory(path)
        var files: [String] = []
        if let listed = spec["epochs"] {
            guard let items = listed.arrayValue, !items.isEmpty else {
                throw fail(at + ".epochs", "expected a non-empty array of epochs (3, 6, \"best\"), found \(listed.typeName)")
            }
            for item in items {
                if let e = item.intValue, e >= 1 {
                    files.append(run.epochPath(e))
                } else if let name = item.stringValue, ["best", "latest"].contains(name) {
                    files.append(name == "best" ? run.bestPath : run.latestPath)
                } else {
                    throw fail(
                        at + ".epochs", "expected epoch numbers ≥ 1, \"best\" or \"latest\", found \(item.formatted(.compact))")
                }
            }
        } else {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasPrefix("epoch-") && $0.hasSuffix(".safetensors") }.sorted().map { path + "/" + $0 }
            files.append(run.bestPath)
        }
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw fail(at, "expected the teacher checkpoint \(file) (output.keep_every keeps epoch-NNN files), found none")
        }
        return files
    }
}
