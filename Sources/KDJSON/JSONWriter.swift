// JSONWriter: JSONValue to text. Pretty (2-space indent, short scalar arrays on one line) for
// config.json and summaries; compact (one line) for metrics.jsonl. Keys keep their order; reals
// use the shortest text that reads back to the same Double; integral values print without `.0`.

/// How `JSONValue.formatted` lays out text.
public enum JSONStyle: Sendable {
    /// Indented with two spaces, one key per line.
    case pretty
    /// One line, no spaces.
    case compact
}

extension JSONValue {
    /// The value as JSON text. Non-finite reals (not representable in JSON) are written as `null`.
    public func formatted(_ style: JSONStyle = .pretty) -> String {
        var out = ""
        write(to: &out, style: style, indent: 0)
        return out
    }

    private func write(to out: inout String, style: JSONStyle, indent: Int) {
        switch self {
        case .null, .bool, .int, .number, .string: out += scalarText
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if style == .compact {
                out += "[" + items.map { $0.formatted(.compact) }.joined(separator: ",") + "]"
                return
            }
            if items.allSatisfy(\.isScalar) {
                let line = "[" + items.map(\.scalarText).joined(separator: ", ") + "]"
                if line.count + indent <= 100 { out += line; return }
            }
            out += "[\n"
            for (k, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                item.write(to: &out, style: style, indent: indent + 2)
                out += k + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            if style == .compact {
                out +=
                    "{"
                    + o.map { JSONValue.quoted($0.key) + ":" + $0.value.formatted(.compact) }
                    .joined(separator: ",") + "}"
                return
            }
            out += "{\n"
            for (k, (key, value)) in o.enumerated() {
                out += String(repeating: " ", count: indent + 2) + JSONValue.quoted(key) + ": "
                value.write(to: &out, style: style, indent: indent + 2)
                out += k + 1 < o.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// Whether this is neither an array nor an object.
    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// Text of a scalar (containers render compactly).
    var scalarText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .number(let x): return JSONValue.numberText(x)
        case .string(let s): return JSONValue.quoted(s)
        case .array, .object: return formatted(.compact)
        }
    }

    /// Shortest round-trip text of a Double: `0.1`, `0.0005`, `1e-12`, `3` (not `3.0`), `null` if not finite.
    public static func numberText(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        var s = String(describing: x)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    /// `s` as a JSON string literal, escaping quotes, backslashes and control characters.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += "\\u" + hex4(u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
