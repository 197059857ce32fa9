// JSONValue: the project's own JSON tree. Keeps object keys in order and tells integers from
// reals and booleans from numbers (Foundation's JSONSerialization does neither), so configs and
// metrics round-trip exactly. Parsing is in JSONParser.swift, writing in JSONWriter.swift.

/// A JSON value.
public indirect enum JSONValue: Equatable, Sendable, ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int`.
    case int(Int)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object with ordered keys.
    case object(JSONObject)

    /// `nil`.
    public init(nilLiteral: ()) { self = .null }
    /// `true`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `4`.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// `0.5`.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// `"x"`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `[1, 2]`.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// `["a": 1]`, keys kept in source order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o = JSONObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }

    /// Member `key` of an object (nil for other values or missing keys).
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The object, if this is one.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, if this is one (an integral real such as `3.0` counts).
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .number(let x) where x == x.rounded() && abs(x) <= 9_007_199_254_740_992: return Int(x)
        default: return nil
        }
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The number (integers widen), if this is one.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .number(let x): return x
        default: return nil
        }
    }

    /// What the value is, for messages: `null`, `a boolean`, `an integer`, `a number`, `a string`...
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON object: string keys in insertion order, each at most once.
public struct JSONObject: Equatable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// Keys in order.
    public private(set) var keys: [String] = []
    private var storage: [String: JSONValue] = [:]

    /// An empty object.
    public init() {}

    /// `["a": 1, "b": 2]`, keys in source order (a repeated key keeps its first position).
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (k, v) in elements { self[k] = v }
    }

    /// Value of `key`; setting a new key appends it, setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Number of keys.
    public var count: Int { keys.count }
    /// Whether there are no keys.
    public var isEmpty: Bool { keys.isEmpty }

    /// Iterates `(key, value)` in order.
    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var i = 0
        return AnyIterator {
            guard i < self.keys.count, let v = self.storage[self.keys[i]] else { return nil }
            defer { i += 1 }
            return (self.keys[i], v)
        }
    }
}
