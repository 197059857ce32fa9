// StudyObjectives: what a study optimises (beyond.md 4.5): one validation metric measured at every rung
// (`objective`, or the validation entry of `objectives`), static costs minimised beside it (the Pareto
// front), `constraints` that skip infeasible configs before training, and `final.select`'s rule for the one
// configuration the test set sees.

import KDJSON

/// A study's objectives, constraints and selection rule.
public struct StudyObjectives: Equatable, Sendable {
    /// The rung value: a validation metric, larger is better.
    public var metric: StudyMetric = .valAcc
    /// Static costs minimised beside it (empty: a single objective).
    public var costs: [StudyMetric] = []
    /// Upper bounds on static costs: configs above one are never trained.
    public var constraints: [StudyMetric: Double] = [:]
    /// `final.select.subject_to`: upper bounds a chosen trial must meet.
    public var subjectTo: [StudyMetric: Double] = [:]

    public init() {}

    /// The static costs a trial needs measured (objectives, constraints and selection bounds).
    public var measuredCosts: [StudyMetric] {
        StudyMetric.allCases.filter { !$0.isValidation && (costs.contains($0) || constraints[$0] != nil || subjectTo[$0] != nil) }
    }

    /// Reads `objective`, `objectives`, `constraints` and `final` of a space's `tune` block; `fail(key, message)`
    /// makes the error naming the key.
    init(_ block: JSONObject, fail: (String, String) -> ConfigError) throws(ConfigError) {
        func named(_ value: JSONValue?, _ key: String) throws(ConfigError) -> StudyMetric {
            let name = value?.stringValue ?? value.map { $0.formatted(.compact) } ?? "nothing"
            if name.hasPrefix("test_") {
                throw fail(key, "expected a validation metric or a cost, found \(name): the test set is for the final run only")
            }
            guard let m = StudyMetric(rawValue: name) else {
                throw fail(key, "expected one of \(StudyMetric.names), found \(name)")
            }
            return m
        }
        func bounds(_ value: JSONValue?, _ key: String) throws(ConfigError) -> [StudyMetric: Double] {
            guard let value else { return [:] }
            guard let object = value.objectValue else { throw fail(key, "expected an object {\"params\": 100000, ...}") }
            var result: [StudyMetric: Double] = [:]
            for (name, bound) in object {
                let m = try named(.string(name), key + "." + name)
                guard !m.isValidation else { throw fail(key + "." + name, "expected a cost (params, flops, latency_ms)") }
                guard let b = bound.doubleValue, b > 0 else {
                    throw fail(key + "." + name, "expected a number > 0, found \(bound.formatted(.compact))")
                }
                result[m] = b
            }
            return result
        }
        if block["objective"] != nil && block["objectives"] != nil {
            throw fail("objectives", "give objective or objectives, not both")
        }
        if let single = block["objective"] {
            metric = try named(single, "objective")
            guard metric.isValidation else {
                throw fail(
                    "objective", "expected a validation metric (val_acc, ...), found \(metric.rawValue); costs go in objectives")
            }
        }
        if let list = block["objectives"] {
            guard let entries = list.arrayValue, !entries.isEmpty else {
                throw fail("objectives", "expected a list of {\"name\": ..., \"goal\": \"max\"|\"min\"}")
            }
            var validation: [StudyMetric] = []
            for (i, entry) in entries.enumerated() {
                let key = "objectives[\(i)]"
                let m = try named(entry["name"], key + ".name")
                let goal = entry["goal"]?.stringValue ?? (m.larger ? "max" : "min")
                guard goal == (m.larger ? "max" : "min") else {
                    throw fail(key + ".goal", "expected \(m.larger ? "max" : "min") for \(m.rawValue), found \(goal)")
                }
                if m.isValidation { validation.append(m) } else if !costs.contains(m) { costs.append(m) }
            }
            guard validation.count == 1 else {
                throw fail(
                    "objectives",
                    "expected exactly one validation metric (the rung value), found \(validation.count) "
                        + "(\(validation.map(\.rawValue).joined(separator: ", ")))")
            }
            metric = validation[0]
        }
        constraints = try bounds(block["constraints"], "constraints")
        if let final = block["final"] {
            guard let object = final.objectValue, object.keys.allSatisfy({ $0 == "select" }) else {
                throw fail("final", "expected {\"select\": {\"max\": \"\(metric.rawValue)\", \"subject_to\": {...}}}")
            }
            if let select = object["select"] {
                guard let s = select.objectValue, s.keys.allSatisfy({ $0 == "max" || $0 == "subject_to" }) else {
                    throw fail("final.select", "expected {\"max\": \"\(metric.rawValue)\", \"subject_to\": {...}}")
                }
                if let max = s["max"], try named(max, "final.select.max") != metric {
                    throw fail("final.select.max", "expected the study's validation metric \(metric.rawValue)")
                }
                subjectTo = try bounds(s["subject_to"], "final.select.subject_to")
            }
        }
    }

    /// As study.json records it.
    var json: JSONValue {
        func object(_ bounds: [StudyMetric: Double]) -> JSONValue {
            var o = JSONObject()
            for m in StudyMetric.allCases { if let b = bounds[m] { o[m.rawValue] = .number(b) } }
            return .object(o)
        }
        return [
            "objective": .string(metric.rawValue), "costs": .array(costs.map { .string($0.rawValue) }),
            "constraints": object(constraints), "subject_to": object(subjectTo),
        ]
    }

    /// The config (by its costs) breaks a constraint: the first one broken, else nil.
    func broken(_ costs: [String: Double]) -> String? {
        for m in StudyMetric.allCases {
            if let bound = constraints[m], let c = costs[m.rawValue], c > bound {
                return "\(m.rawValue) \(JSONValue.number(c).formatted(.compact)) > \(JSONValue.number(bound).formatted(.compact))"
            }
        }
        return nil
    }
}
