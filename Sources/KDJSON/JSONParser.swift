// JSONParser: a strict RFC 8259 parser into JSONValue. No comments, trailing commas, NaN or
// duplicate keys. Every error says where (line, column) and what was expected and found.

/// A JSON syntax error: `line 4, column 7: expected ',' or '}', found '"'`.
public struct JSONSyntaxError: Error, CustomStringConvertible, Equatable {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in characters.
    public var column: Int
    /// What went wrong.
    public var message: String

    /// One line naming the position.
    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
    /// Parses `text` as exactly one JSON value (surrounding whitespace allowed), nested at most `maxDepth` levels.
    public init(parsing text: String, maxDepth: Int = 512) throws(JSONSyntaxError) {
        var parser = JSONParser(bytes: Array(text.utf8), maxDepth: maxDepth)
        self = try parser.parseDocument()
    }
}

/// Recursive-descent parser over UTF-8 bytes.
struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    var depth = 0
    let maxDepth: Int

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if i < bytes.count { throw fail("expected end of input") }
        return value
    }

    // MARK: errors

    /// An error at the current position: `message, found <what is here>`.
    func fail(_ expected: String, at position: Int? = nil) -> JSONSyntaxError {
        let at = position ?? i
        return error("\(expected), found \(foundText(at))", at: at)
    }

    func error(_ message: String, at position: Int) -> JSONSyntaxError {
        var line = 1, column = 1
        for b in bytes[0..<min(position, bytes.count)] {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    /// The token at `p` as a user sees it: `'"'`, `'True'`, `end of input`, `control character U+000A`.
    func foundText(_ p: Int) -> String {
        guard p < bytes.count else { return "end of input" }
        let b = bytes[p]
        if b < 0x20 { return "control character U+" + hex4(UInt32(b)) }
        if isWordByte(b) {
            var e = p
            while e < bytes.count, e - p < 24, isWordByte(bytes[e]) { e += 1 }
            return "'" + String(decoding: bytes[p..<e], as: UTF8.self) + "'"
        }
        var e = p + 1
        while e < bytes.count, bytes[e] & 0xC0 == 0x80 { e += 1 }
        return "'" + String(decoding: bytes[p..<e], as: UTF8.self) + "'"
    }

    func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
            || b == 0x2E || b == 0x2B || b == 0x2D
    }

    // MARK: structure

    mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard i < bytes.count else { throw fail("expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        default: throw fail("expected a value")
        }
    }

    mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let w = Array(word.utf8)
        let end = i + w.count
        guard end <= bytes.count, Array(bytes[i..<end]) == w, end == bytes.count || !isWordByte(bytes[end]) else {
            throw fail("expected a value")
        }
        i = end
        return value
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth) levels", at: i) }
    }

    mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        i += 1
        var object = JSONObject()
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(object) }
        while true {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                let trailing = i < bytes.count && bytes[i] == UInt8(ascii: "}") && !object.isEmpty
                throw fail(trailing ? "expected a string key (no trailing comma)" : "expected a string key")
            }
            let keyStart = i
            let key = try parseString()
            if object[key] != nil { throw error("duplicate key \"\(key)\"", at: keyStart) }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard i < bytes.count else { throw fail("expected ',' or '}'") }
            if bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(object) }
            guard bytes[i] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            i += 1
            skipWhitespace()
        }
    }

    mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(items) }
        while true {
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { throw fail("expected a value (no trailing comma)") }
            items.append(try parseValue())
            skipWhitespace()
            guard i < bytes.count else { throw fail("expected ',' or ']'") }
            if bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(items) }
            guard bytes[i] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
            i += 1
            skipWhitespace()
        }
    }
}
