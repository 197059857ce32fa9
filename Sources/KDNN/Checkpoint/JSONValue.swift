// JSONValue: a parsed JSON value as JSONReader returns it (objects keep key order, numbers keep
// their source text), with the accessors and renderings checkpoint validation uses.

/// A parsed JSON value. Objects keep their key order; numbers keep their source text.
enum JSONValue {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The value of an integer literal (no fraction or exponent) that fits in `Int`.
    var intValue: Int? {
        guard case .number(let text) = self, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            return nil
        }
        return Int(text)
    }

    /// The value of any number literal as a Double (nil for non-numbers).
    var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// The string of a string value.
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Compact JSON text, for error messages.
    var rendered: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let text): return text
        case .string(let s): return JSONWriter.quoted(s)
        case .array(let items): return "[" + items.map(\.rendered).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { JSONWriter.quoted($0.key) + ":" + $0.value.rendered }.joined(separator: ",") + "}"
        }
    }

    /// A short name of the value's kind (`a string`, `an array`), for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
