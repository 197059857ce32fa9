// Combination: the one rule for method names joined with '+' (at+kd), asked by the config decoder,
// the registry's builders and `kdistill methods`: which parts combine, the canonical spelling (feature
// and relation parts in registry order, kd last) and the parameters with their defaults.

/// How a method takes part in a '+' combination.
public enum CombineRole: Sendable {
    /// Cannot be combined.
    case none
    /// A feature or relation method whose term joins kd's (at, rkd, sp).
    case addOn
    /// The response-based method the others join (kd): its defaults of shared parameters win.
    case base
}

/// What the combine rule knows of one registered method.
public struct MethodTraits: Sendable {
    public let name: String
    public let params: [ParamSpec]
    public let role: CombineRole
    /// `single-student`, `cohort` or `pipeline`.
    public let shape: String

    public init(name: String, params: [ParamSpec], role: CombineRole = .none, shape: String = "single-student") {
        (self.name, self.params, self.role, self.shape) = (name, params, role, shape)
    }
}

/// A method name resolved by the rule.
public struct ResolvedMethod: Equatable, Sendable {
    /// The canonical spelling (`at+kd` for `kd+at`), as config.json, run names and reports show it.
    public let name: String
    /// Its parts in canonical order.
    public let parts: [String]
    /// The declared parameters with their defaults (the union of the parts').
    public let specs: [ParamSpec]
}

/// Why a method name does not resolve; `message` is one line without a key path.
public enum CombineError: Error, Equatable, Sendable {
    case unknown(part: String, name: String)
    case repeated(part: String, name: String)
    case reservedKey(part: String)
    case notCombinable(part: String, name: String, shape: String)
    case kindConflict(name: String, key: String, first: String, second: String)

    public var message: String {
        switch self {
        case .unknown(let part, let name): return "unknown method '\(part)'" + (part == name ? "" : " in '\(name)'")
        case .repeated(let part, let name): return "method '\(part)' appears twice in '\(name)'"
        case .reservedKey(let part): return "method '\(part)' declares 'name', which names the method"
        case .notCombinable(let part, let name, let shape):
            if shape != "single-student" {
                return "'\(part)' is a \(shape) method and cannot be combined with '+' (in '\(name)')"
            }
            return "'\(part)' cannot be combined (in '\(name)'); combine a feature or relation method with kd (at+kd)"
        case .kindConflict(let name, let key, let first, let second):
            return "'\(name)' combines two declarations of '\(key)': \(first) and \(second)"
        }
    }
}

/// The registered methods as the combine rule sees them, in listing order.
public struct MethodCatalog: Sendable {
    public let methods: [MethodTraits]

    public init(_ methods: [MethodTraits] = []) { self.methods = methods }

    /// The traits of `name`.
    public func traits(_ name: String) -> MethodTraits? { methods.first { $0.name == name } }

    /// Resolves `name` (`at`, `kd+at`, `at+rkd+kd`). A combination joins feature or relation methods
    /// (role addOn) and at most one kd (role base); `x+kd` and `kd+x` are the same method, spelled with
    /// the add-ons in listing order and kd last. Its parameters are the union of its parts'; a parameter
    /// several parts declare keeps the first declaration, with kd's default when kd declares it
    /// (RepDistiller's rule: with kd, ce_weight 0.1, kd_weight 0.9 and T 4, plus each method's own weight).
    public func resolve(_ name: String) -> Result<ResolvedMethod, CombineError> {
        let given = name.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        var seen = Set<String>(), found: [MethodTraits] = []
        for part in given {
            guard let t = traits(part) else { return .failure(.unknown(part: part, name: name)) }
            guard seen.insert(part).inserted else { return .failure(.repeated(part: part, name: name)) }
            found.append(t)
        }
        if found.count > 1, let odd = found.first(where: { $0.role == .none || $0.shape != "single-student" }) {
            return .failure(.notCombinable(part: odd.name, name: name, shape: odd.shape))
        }
        let order = methods.map(\.name)
        let parts = found.sorted { a, b in
            a.role != b.role ? b.role == .base : (order.firstIndex(of: a.name) ?? 0) < (order.firstIndex(of: b.name) ?? 0)
        }
        var specs: [ParamSpec] = []
        for part in parts {
            for spec in part.params {
                if spec.name == "name" { return .failure(.reservedKey(part: part.name)) }
                guard let k = specs.firstIndex(where: { $0.name == spec.name }) else {
                    specs.append(spec)
                    continue
                }
                if specs[k].kind != spec.kind {
                    return .failure(
                        .kindConflict(
                            name: name, key: spec.name, first: specs[k].kind.expectation, second: spec.kind.expectation))
                }
                if part.role == .base {
                    (specs[k].defaultValue, specs[k].conditionalDefault) = (spec.defaultValue, spec.conditionalDefault)
                }
            }
        }
        return .success(ResolvedMethod(name: parts.map(\.name).joined(separator: "+"), parts: parts.map(\.name), specs: specs))
    }

    /// The rule in words, with every `x+kd`'s numeric defaults, for `kdistill methods`.
    public var ruleText: String {
        let addOns = methods.filter { $0.role == .addOn }.map(\.name)
        guard let base = methods.first(where: { $0.role == .base })?.name, !addOns.isEmpty else { return "" }
        var lines = [
            "combinations: a feature or relation method (\(addOns.joined(separator: ", "))) joins \(base) with '+'; "
                + "x+\(base) and \(base)+x are the same method, written x+\(base) (config.json, run names, reports). "
                + "It has both methods' parameters; a shared one takes \(base)'s default (RepDistiller's rule), "
                + "so x+\(base) trains with \(base)'s ce_weight, kd_weight and T plus the method's own weight:"
        ]
        for x in addOns {
            guard case .success(let r) = resolve(x + "+" + base) else { continue }
            let numbers = r.specs.compactMap { s -> String? in
                guard case .value(let v) = s.defaultValue, v.doubleValue != nil else { return nil }
                return "\(s.name) \(v.text)"
            }
            lines.append("    \(r.name): " + numbers.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
