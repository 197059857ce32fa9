// JSONWriter: the few JSON-writing helpers checkpoints need: quoted strings with escapes, integer
// and float arrays, and objects with keys in a given order.

/// Builds compact JSON text.
enum JSONWriter {
    /// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `[1,28,28]`.
    static func ints(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }

    /// `[0.5,1e-05]`: shortest round-trip decimal forms; non-finite values become `null`.
    static func floats(_ values: [Float]) -> String {
        "[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
    }

    /// `{"a":…,"b":…}` with members in the given order; values are JSON text already.
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
