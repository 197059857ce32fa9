// JSONParser, scalars: strings with every RFC 8259 escape (including surrogate pairs) and numbers
// in the exact RFC grammar. Integers that fit in Int stay integers; others become Doubles.

extension JSONParser {
    mutating func parseString() throws(JSONSyntaxError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("expected '\"' to end the string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if b < 0x20 { throw fail("expected a character or an escape") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw fail("expected an escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"): out += try parseUnicodeEscape()
            default: throw fail("expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", at: i - 1)
            }
        }
    }

    /// After `\u`: four hex digits, a surrogate pair when needed; returns the scalar's UTF-8.
    mutating func parseUnicodeEscape() throws(JSONSyntaxError) -> [UInt8] {
        let high = try hex4Digits()
        var scalar = high
        if (0xD800...0xDBFF).contains(high) {
            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                throw fail("expected a low surrogate \\uDC00-\\uDFFF after \\u" + hex4(high))
            }
            i += 2
            let lowStart = i
            let low = try hex4Digits()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error(
                    "expected a low surrogate \\uDC00-\\uDFFF after \\u\(hex4(high)), found \\u\(hex4(low))",
                    at: lowStart)
            }
            scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(high) {
            throw error("expected a high surrogate before \\u\(hex4(high))", at: i - 4)
        }
        guard let s = Unicode.Scalar(scalar) else { throw error("invalid code point", at: i - 4) }
        return Array(String(Character(s)).utf8)
    }

    mutating func hex4Digits() throws(JSONSyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count, let d = hexValue(bytes[i]) else { throw fail("expected 4 hex digits after \\u") }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    func isDigit(_ p: Int) -> Bool { p < bytes.count && bytes[p] >= UInt8(ascii: "0") && bytes[p] <= UInt8(ascii: "9") }

    mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = i
        var integral = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { throw fail("expected a digit") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw fail("expected '.', 'e' or the end of the number after a leading 0") }
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            guard isDigit(i) else { throw fail("expected a digit after '.'") }
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            integral = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { throw fail("expected a digit in the exponent") }
            while isDigit(i) { i += 1 }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if integral, let n = Int(text) { return .int(n) }
        guard let x = Double(text), x.isFinite else {
            throw error("expected a finite number, found \(text)", at: start)
        }
        return .number(x)
    }
}

/// `000A`-style hex of a code unit, for messages.
func hex4(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}
