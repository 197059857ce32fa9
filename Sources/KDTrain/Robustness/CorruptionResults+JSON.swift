// CorruptionResults+JSON: the corruption block of robustness.json / summary.json, written and read back
// (a baseline's file is read to compare against): {"table", "seed", "images", "clean", "corruptions":
// {name: {"severities": {"1": A, ...}, "mean": A_c}}, "mca", "rca", and with a baseline "baseline"}.

import Foundation
import KDData

extension CorruptionResults {
    /// The results as JSON; with `comparison`, a `baseline` block (mce, relative_mce, ce, relative_ce and
    /// the baseline's clean accuracy and mCA). Undefined figures are `null`.
    public func json(baseline comparison: CorruptionComparison? = nil) -> JSONValue {
        var o = JSONObject()
        o["table"] = .string(table.rawValue)
        o["seed"] = .int(seed)
        o["images"] = .int(images)
        o["clean"] = .number(clean)
        var block = JSONObject()
        for c in corruptions {
            var levels = JSONObject()
            for (k, s) in severities.enumerated() { levels[String(s)] = .number(accuracies[c]?[k] ?? 0) }
            block[c.rawValue] = ["severities": .object(levels), "mean": .number(meanAccuracy(c))]
        }
        o["corruptions"] = .object(block)
        o["mca"] = .number(mca)
        o["rca"] = Self.number(rca)
        if let comparison {
            var b = JSONObject()
            b["clean"] = .number(comparison.baseline.clean)
            b["mca"] = .number(comparison.baseline.mca)
            b["mce"] = Self.number(comparison.mce)
            b["relative_mce"] = Self.number(comparison.relativeMCE)
            var ce = JSONObject(), relative = JSONObject()
            for c in comparison.corruptions {
                ce[c.rawValue] = Self.number(comparison.ce[c])
                relative[c.rawValue] = Self.number(comparison.relativeCE[c])
            }
            b["ce"] = .object(ce)
            b["relative_ce"] = .object(relative)
            o["baseline"] = .object(b)
        }
        return .object(o)
    }

    /// Results read back from `json` (what `json()` wrote; a `baseline` block is ignored); `source` names
    /// the file in errors.
    public init(json: JSONValue, source: String) throws {
        func fail(_ key: String, _ expected: String, _ found: JSONValue?) -> RunInputError {
            RunInputError("\(source): \(key): expected \(expected), found \(found.map(\.typeName) ?? "nothing")")
        }
        guard let tableName = json["table"]?.stringValue, let table = CorruptionTable(rawValue: tableName) else {
            throw fail("table", "mnist-c or cifar10-c", json["table"])
        }
        guard let seed = json["seed"]?.intValue else { throw fail("seed", "an integer", json["seed"]) }
        guard let images = json["images"]?.intValue else { throw fail("images", "an integer", json["images"]) }
        guard let clean = json["clean"]?.doubleValue else { throw fail("clean", "a number", json["clean"]) }
        guard let block = json["corruptions"]?.objectValue, !block.isEmpty else {
            throw fail("corruptions", "an object of corruption results", json["corruptions"])
        }
        var corruptions: [Corruption] = [], severities: [Int]? = nil, accuracies: [Corruption: [Double]] = [:]
        for (name, entry) in block {
            guard let c = Corruption(rawValue: name) else {
                throw RunInputError("\(source): corruptions: expected names among \(Corruption.namesList), found '\(name)'")
            }
            let key = "corruptions.\(name).severities"
            guard let levels = entry["severities"]?.objectValue else { throw fail(key, "an object", entry["severities"]) }
            let found = levels.keys.compactMap { Int($0) }
            guard found.count == levels.count, severities.map({ $0 == found }) ?? true else {
                throw RunInputError(
                    "\(source): \(key): expected the severities of the other corruptions, found \(levels.keys.joined(separator: ","))"
                )
            }
            severities = found
            accuracies[c] = try levels.map { k, v in
                guard let a = v.doubleValue else { throw fail("\(key).\(k)", "a number", v) }
                return a
            }
            corruptions.append(c)
        }
        try self.init(
            table: table, seed: seed, images: images, clean: clean, corruptions: corruptions, severities: severities ?? [],
            accuracies: accuracies)
    }

    static func number(_ x: Double?) -> JSONValue { x.map { .number($0) } ?? .null }
}
