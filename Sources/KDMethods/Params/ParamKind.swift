// ParamKind: what a declared parameter (or config key) accepts: numbers and integers with ranges,
// booleans, strings with choices, lists, model objects, nested objects and method objects.
// Also the one-line phrases ("a number > 0") that error messages and help text use.

/// Range of a number parameter; each bound may be open or closed.
public struct NumberBounds: Equatable, Sendable {
    /// Lower bound, if any.
    public var min: Double?
    /// Whether `min` itself is allowed.
    public var minInclusive: Bool
    /// Upper bound, if any.
    public var max: Double?
    /// Whether `max` itself is allowed.
    public var maxInclusive: Bool

    /// Bounds `min ≤/< x ≤/< max`; nil means unbounded on that side.
    public init(min: Double? = nil, minInclusive: Bool = true, max: Double? = nil, maxInclusive: Bool = true) {
        self.min = min
        self.minInclusive = minInclusive
        self.max = max
        self.maxInclusive = maxInclusive
    }

    /// Any finite number.
    public static let any = NumberBounds()
    /// x > 0.
    public static let positive = NumberBounds(min: 0, minInclusive: false)
    /// x ≥ 0.
    public static let nonNegative = NumberBounds(min: 0)
    /// x in [0, 1).
    public static let fraction = NumberBounds(min: 0, max: 1, maxInclusive: false)
    /// x in [0, 1].
    public static let unitInterval = NumberBounds(min: 0, max: 1)
    /// x in (0, 1] (a survival probability).
    public static let survival = NumberBounds(min: 0, minInclusive: false, max: 1)

    /// Whether `x` is finite and within the bounds.
    public func contains(_ x: Double) -> Bool {
        guard x.isFinite else { return false }
        if let lo = min, minInclusive ? x < lo : x <= lo { return false }
        if let hi = max, maxInclusive ? x > hi : x >= hi { return false }
        return true
    }

    /// Suffix for phrases: `""`, `" > 0"`, `" >= 0"`, `" <= 1"`, `" in [0, 1)"`.
    public var phrase: String {
        switch (min, max) {
        case (nil, nil): return ""
        case let (lo?, nil): return (minInclusive ? " >= " : " > ") + formatBound(lo)
        case let (nil, hi?): return (maxInclusive ? " <= " : " < ") + formatBound(hi)
        case let (lo?, hi?):
            return " in " + (minInclusive ? "[" : "(") + formatBound(lo) + ", " + formatBound(hi)
                + (maxInclusive ? "]" : ")")
        }
    }
}

/// Range of an integer parameter (both bounds inclusive).
public struct IntegerBounds: Equatable, Sendable {
    /// Smallest allowed value, if any.
    public var min: Int?
    /// Largest allowed value, if any.
    public var max: Int?

    /// Bounds `min ≤ x ≤ max`; nil means unbounded on that side.
    public init(min: Int? = nil, max: Int? = nil) {
        self.min = min
        self.max = max
    }

    /// Any integer.
    public static let any = IntegerBounds()
    /// x ≥ 1.
    public static let positive = IntegerBounds(min: 1)
    /// x ≥ 0.
    public static let nonNegative = IntegerBounds(min: 0)

    /// Whether `x` is within the bounds.
    public func contains(_ x: Int) -> Bool {
        if let lo = min, x < lo { return false }
        if let hi = max, x > hi { return false }
        return true
    }

    /// Suffix for phrases: `""`, `" >= 1"`, `" <= 9"`, `" in [1, 9]"`.
    public var phrase: String {
        switch (min, max) {
        case (nil, nil): return ""
        case let (lo?, nil): return " >= \(lo)"
        case let (nil, hi?): return " <= \(hi)"
        case let (lo?, hi?): return " in [\(lo), \(hi)]"
        }
    }
}

/// What a parameter accepts.
public indirect enum ParamKind: Equatable, Sendable {
    /// A JSON number (integers are accepted and widened) within the bounds.
    case number(NumberBounds = .any)
    /// A number within the bounds or the one word given (mean-teacher's `consistency_weight`: `"auto"`).
    case numberOr(String, NumberBounds = .any)
    /// A JSON integer within the bounds.
    case integer(IntegerBounds = .any)
    /// `true` or `false`.
    case boolean
    /// A string, restricted to `choices` when given.
    case string(choices: [String]? = nil)
    /// A list whose elements all have one kind; `count` fixes its length when given.
    case list(ParamKind, count: Int? = nil)
    /// A zoo model: `{"name": String, "dropout", "head_dropout", "stochastic_depth": number}` or the bare name.
    case model
    /// A nested object with declared keys; a bare string stands for `{shorthand: string}` if set.
    case object([ParamSpec], shorthand: String? = nil)
    /// A distillation method: `{"name": "kd", ...its params}` or the bare name; `+` combines methods.
    case method

    /// What a value must be, for messages: `a number > 0`, `one of sgd, adam`, `a list of 2 integers`.
    public var expectation: String { phrase(plural: false) }

    /// The phrase with or without its article (`a number` / `numbers`).
    public func phrase(plural: Bool) -> String {
        switch self {
        case .number(let b): return (plural ? "numbers" : "a number") + b.phrase
        case .integer(let b): return (plural ? "integers" : "an integer") + b.phrase
        case .numberOr(let word, let b): return (plural ? "numbers" : "a number") + b.phrase + " or \"\(word)\""
        case .boolean: return plural ? "booleans" : "true or false"
        case .string(let choices?):
            return (plural ? "each one of " : "one of ") + choices.joined(separator: ", ")
        case .string(nil): return plural ? "strings" : "a string"
        case .list(let element, let count?):
            return (plural ? "lists" : "a list") + " of \(count) " + element.phrase(plural: true)
        case .list(let element, nil): return (plural ? "lists" : "a list") + " of " + element.phrase(plural: true)
        case .model: return plural ? "models (names or {name, dropout} objects)" : "a model name or {name, dropout} object"
        case .object(let specs, let shorthand?):
            // The shorthand's own kind names the bare value: `checkpoint` strings, `size` numbers.
            let bare = specs.first { $0.name == shorthand }.map { $0.kind.isNumeric ? "numbers" : "strings" } ?? "strings"
            return plural ? "objects or \(shorthand) \(bare)" : "an object or a \(shorthand) \(bare.dropLast())"
        case .object: return plural ? "objects" : "an object"
        case .method: return plural ? "methods" : "a method name or {name, ...params} object"
        }
    }

    /// Whether values of this kind are JSON numbers.
    public var isNumeric: Bool {
        switch self {
        case .number, .integer: return true
        default: return false
        }
    }

    /// `value` converted to this kind (an integer widened to a number), or nil if it does not fit.
    /// Shallow for objects and methods: their keys are checked by the config decoder.
    public func coerce(_ value: ParamValue) -> ParamValue? {
        switch (self, value) {
        case (.number(let b), .number(let x)): return b.contains(x) ? value : nil
        case (.number(let b), .integer(let i)): return b.contains(Double(i)) ? .number(Double(i)) : nil
        case (.integer(let b), .integer(let i)): return b.contains(i) ? value : nil
        case (.numberOr(_, let b), .number), (.numberOr(_, let b), .integer):
            return ParamKind.number(b).coerce(value)
        case (.numberOr(let word, _), .string(let s)): return s == word ? value : nil
        case (.boolean, .bool): return value
        case (.string(let choices), .string(let s)): return choices.map { $0.contains(s) } ?? true ? value : nil
        case (.list(let element, let count), .list(let items)):
            if let count, items.count != count { return nil }
            var out: [ParamValue] = []
            for item in items {
                guard let c = element.coerce(item) else { return nil }
                out.append(c)
            }
            return .list(out)
        case (.model, .model(let m)):
            let fits =
                NumberBounds.fraction.contains(m.dropout) && NumberBounds.fraction.contains(m.headDropout)
                && NumberBounds.survival.contains(m.stochasticDepth)
            return fits ? value : nil
        case (.model, .string(let s)): return .model(ModelConfig(name: s))
        case (.object, .object), (.method, .object): return value
        default: return nil
        }
    }
}

/// A bound written for people: `0`, `1`, `0.5`, `1e-08`.
func formatBound(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return String(describing: x)
}
