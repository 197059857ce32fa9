// ParamSpec: one declared parameter (name, kind, default, one-line doc). Methods declare their
// parameters as `[ParamSpec]`; the experiment config's schema is built from the same type.

/// What happens when a parameter is not given.
public enum ParamDefault: Equatable, Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByStringLiteral
{
    /// This value is filled in.
    case value(ParamValue)
    /// The parameter stays absent; its doc says what absence means (e.g. "all cores").
    case absent
    /// The parameter must be given.
    case required

    /// `default: 0.5`.
    public init(floatLiteral value: Double) { self = .value(.number(value)) }
    /// `default: 4` (widened to a number when the kind is a number).
    public init(integerLiteral value: Int) { self = .value(.integer(value)) }
    /// `default: true`.
    public init(booleanLiteral value: Bool) { self = .value(.bool(value)) }
    /// `default: "cosine"`.
    public init(stringLiteral value: String) { self = .value(.string(value)) }

    /// The filled-in value, if any.
    public var value: ParamValue? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// A default that replaces the declared one while another parameter has a given value and the key is not
/// given (`T` is 2 under `logit_standardization: true`, 20 under `variant: reg`). Applied by
/// `ParamValues.applyConditionalDefaults`.
public struct ConditionalDefault: Equatable, Sendable {
    /// The parameter that switches it on, and the value it must have.
    public let flag: String, equals: ParamValue
    public let value: ParamValue

    /// `logit_standardization` (for true) or `variant reg`, as help text names the condition.
    public var condition: String { equals == .bool(true) ? flag : "\(flag) \(equals.text)" }
}

/// One declared parameter.
public struct ParamSpec: Equatable, Sendable {
    /// Key as written in JSON (`T`, `ce_weight`).
    public var name: String
    /// What it accepts.
    public var kind: ParamKind
    /// Its default (coerced to `kind`: an integer default of a number parameter becomes a number).
    public var defaultValue: ParamDefault
    /// One-line description for help text and the JSON Schema.
    public var doc: String
    /// The default while another parameter is true, if any.
    public var conditionalDefault: ConditionalDefault?

    /// Declares `name` of `kind` with `default` and a one-line `doc`.
    public init(_ name: String, _ kind: ParamKind, default defaultValue: ParamDefault, doc: String) {
        self.name = name
        self.kind = kind
        if case .value(let v) = defaultValue, let c = kind.coerce(v) {
            self.defaultValue = .value(c)
        } else {
            self.defaultValue = defaultValue
        }
        self.doc = doc
    }

    /// This declaration with `value` as its default while parameter `flag` equals `equals` (default: true).
    public func defaulting(to value: ParamValue, when flag: String, is equals: ParamValue = .bool(true)) -> ParamSpec {
        var copy = self
        copy.conditionalDefault = ConditionalDefault(flag: flag, equals: equals, value: kind.coerce(value) ?? value)
        return copy
    }

    /// Mistakes in a declaration list (duplicate names, defaults that do not fit their kind),
    /// one line each; empty when the list is sound. Method tests should assert this is empty.
    public static func problems(in specs: [ParamSpec], path: String = "") -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for spec in specs {
            let key = path.isEmpty ? spec.name : path + "." + spec.name
            if spec.name.isEmpty { out.append("\(path): empty parameter name") }
            if !seen.insert(spec.name).inserted { out.append("\(key): declared twice") }
            if case .value(let v) = spec.defaultValue, spec.kind.coerce(v) == nil {
                out.append("\(key): default \(v.text) is not \(spec.kind.expectation)")
            }
            if let c = spec.conditionalDefault {
                if spec.kind.coerce(c.value) == nil {
                    out.append("\(key): conditional default \(c.value.text) is not \(spec.kind.expectation)")
                }
                guard let flag = specs.first(where: { $0.name == c.flag }), flag.kind.coerce(c.equals) != nil else {
                    out.append("\(key): conditional default on '\(c.flag)' = \(c.equals.text), which it cannot hold")
                    continue
                }
            }
            if case .object(let nested, let shorthand) = spec.kind {
                out += problems(in: nested, path: key)
                if let shorthand, !nested.contains(where: { $0.name == shorthand }) {
                    out.append("\(key): shorthand key '\(shorthand)' is not declared")
                }
            }
        }
        return out
    }

    /// The default as people read it: `4`, `"cosine"`, `[0.9, 0.999]`, `required`, `absent`.
    public var defaultText: String {
        switch defaultValue {
        case .value(let v): return v.text
        case .absent: return "absent"
        case .required: return "required"
        }
    }

    /// `defaultText` with the conditional default: `4 (2 with logit_standardization)`.
    public var defaultDescription: String {
        guard let c = conditionalDefault else { return defaultText }
        return "\(defaultText) (\(c.value.text) with \(c.condition))"
    }
}
