// ParamValues: resolved parameters in declaration order with typed getters (`double("T")`,
// `int`, `bool`, `string`, `strings`, `doubles`, `models`...). A getter that finds no value or a
// value of another type throws a ParamError naming the key path; it never crashes.

/// A parameter that is missing or has another type than the getter asked for.
public struct ParamError: Error, CustomStringConvertible, Equatable {
    /// Key path (`method.T`).
    public var path: String
    /// What went wrong (`missing`, `expected a number, found a string`).
    public var message: String

    /// An error at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// One line: `method.T: expected a number, found a string`.
    public var description: String {
        (path.isEmpty ? message : path + ": " + message).replacingControlCharacters()
    }
}

/// Resolved parameters, in declaration order.
public struct ParamValues: Equatable, Sendable, Sequence {
    /// Names in order.
    public private(set) var names: [String] = []
    private var storage: [String: ParamValue] = [:]
    /// Key path of this object, prefixed to error messages (`method`, `data.augment`); "" at the top.
    public var path: String

    /// Empty values under `path`.
    public init(path: String = "") { self.path = path }

    /// The declared defaults of `specs` (absent and required parameters are left out).
    public init(defaults specs: [ParamSpec], path: String = "") {
        self.path = path
        for spec in specs { if let v = spec.defaultValue.value { self[spec.name] = v } }
    }

    /// Sets the conditional defaults of `specs` whose condition holds here and whose key is not in `given`
    /// (the keys the user wrote). The one place a default depends on another parameter.
    public mutating func applyConditionalDefaults(_ specs: [ParamSpec], given: Set<String>) {
        for spec in specs {
            guard let c = spec.conditionalDefault, !given.contains(spec.name), storage[c.flag] == c.equals else { continue }
            self[spec.name] = c.value
        }
    }

    /// Equal when the same names hold the same values in the same order (`path` is ignored).
    public static func == (a: ParamValues, b: ParamValues) -> Bool {
        a.names == b.names && a.storage == b.storage
    }

    /// Value of `name`, if present; setting nil removes it, setting a new name appends it.
    public subscript(name: String) -> ParamValue? {
        get { storage[name] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: name) == nil { names.append(name) }
            } else if storage.removeValue(forKey: name) != nil {
                names.removeAll { $0 == name }
            }
        }
    }

    /// Whether `name` has a value.
    public func contains(_ name: String) -> Bool { storage[name] != nil }

    /// Number of values.
    public var count: Int { names.count }

    /// A copy with `name` set to `value`.
    public func setting(_ name: String, _ value: ParamValue) -> ParamValues {
        var copy = self
        copy[name] = value
        return copy
    }

    /// Iterates `(name, value)` in order.
    public func makeIterator() -> AnyIterator<(name: String, value: ParamValue)> {
        var i = 0
        return AnyIterator {
            guard i < self.names.count, let v = self.storage[self.names[i]] else { return nil }
            defer { i += 1 }
            return (self.names[i], v)
        }
    }

    /// Key path of `name` for messages.
    public func keyPath(_ name: String) -> String { path.isEmpty ? name : path + "." + name }

    private func get<T>(_ name: String, _ want: String, _ extract: (ParamValue) -> T?) throws(ParamError) -> T {
        guard let v = storage[name] else { throw ParamError(path: keyPath(name), message: "missing") }
        guard let out = extract(v) else {
            throw ParamError(path: keyPath(name), message: "expected \(want), found \(v.typeName)")
        }
        return out
    }

    private func list<T>(_ name: String, _ want: String, _ extract: (ParamValue) -> T?) throws(ParamError) -> [T] {
        try get(name, "a list of " + want) { v in
            guard case .list(let items) = v else { return nil }
            var out: [T] = []
            for item in items {
                guard let x = extract(item) else { return nil }
                out.append(x)
            }
            return out
        }
    }

    /// A number (integers widen).
    public func double(_ name: String) throws(ParamError) -> Double { try get(name, "a number") { $0.doubleValue } }
    /// The number if present.
    public func optionalDouble(_ name: String) throws(ParamError) -> Double? {
        contains(name) ? try double(name) : nil
    }
    /// An integer.
    public func int(_ name: String) throws(ParamError) -> Int {
        try get(name, "an integer") { if case .integer(let i) = $0 { return i } else { return nil } }
    }
    /// The integer if present.
    public func optionalInt(_ name: String) throws(ParamError) -> Int? { contains(name) ? try int(name) : nil }
    /// A boolean.
    public func bool(_ name: String) throws(ParamError) -> Bool {
        try get(name, "a boolean") { if case .bool(let b) = $0 { return b } else { return nil } }
    }
    /// A string.
    public func string(_ name: String) throws(ParamError) -> String {
        try get(name, "a string") { if case .string(let s) = $0 { return s } else { return nil } }
    }
    /// The string if present.
    public func optionalString(_ name: String) throws(ParamError) -> String? {
        contains(name) ? try string(name) : nil
    }
    /// A model object.
    public func model(_ name: String) throws(ParamError) -> ModelConfig {
        try get(name, "a model") { if case .model(let m) = $0 { return m } else { return nil } }
    }
    /// The model if present.
    public func optionalModel(_ name: String) throws(ParamError) -> ModelConfig? {
        contains(name) ? try model(name) : nil
    }
    /// A nested object (its path extends this one's).
    public func object(_ name: String) throws(ParamError) -> ParamValues {
        var o = try get(name, "an object") { if case .object(let o) = $0 { return o } else { return nil } }
        o.path = keyPath(name)
        return o
    }
    /// A list of numbers.
    public func doubles(_ name: String) throws(ParamError) -> [Double] { try list(name, "numbers") { $0.doubleValue } }
    /// A list of integers.
    public func ints(_ name: String) throws(ParamError) -> [Int] {
        try list(name, "integers") { if case .integer(let i) = $0 { return i } else { return nil } }
    }
    /// A list of strings.
    public func strings(_ name: String) throws(ParamError) -> [String] {
        try list(name, "strings") { if case .string(let s) = $0 { return s } else { return nil } }
    }
    /// A list of model objects.
    public func models(_ name: String) throws(ParamError) -> [ModelConfig] {
        try list(name, "models") { if case .model(let m) = $0 { return m } else { return nil } }
    }
}

extension String {
    /// The text on one line: line breaks and other control characters as `\n`, `\u{1}`.
    public func replacingControlCharacters() -> String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return self }
        var out = ""
        for u in unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += u.value < 0x20 || u.value == 0x7F ? "\\u{\(String(u.value, radix: 16))}" : String(u)
            }
        }
        return out
    }
}
