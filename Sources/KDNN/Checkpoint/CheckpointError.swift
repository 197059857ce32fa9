// CheckpointError: the one error type of checkpoint reading, writing and loading. Its description
// is one line: `<path>: <what>: expected …, found …`, optionally followed by a hint in parentheses.

import KDSupport

/// A checkpoint (or optimizer state) that cannot be read, written or loaded, described in one line.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file (or other source) the problem is in.
    public let path: String
    /// What was being checked: a header field, a key path, a tensor name.
    public let what: String
    /// What a valid file has there.
    public let expected: String
    /// What this file has there.
    public let found: String
    /// An optional hint on the likely cause (`a checkpoint of another model?`).
    public let hint: String?

    /// An error at `path` about `what`.
    public init(_ path: String, _ what: String, expected: String, found: String, hint: String? = nil) {
        self.path = path
        self.what = what
        self.expected = expected
        self.found = found
        self.hint = hint
    }

    /// `<path>: <what>: expected …, found …` plus ` (<hint>)` when there is one.
    public var description: String {
        let line = "\(path): \(what): expected \(expected), found \(found)"
        return hint.map { "\(line) (\($0))" } ?? line
    }
}

extension CheckpointError {
    /// A file helper's error as a CheckpointError: the operation (`file`, `create`, `rename`) is the `what`.
    public init(_ error: FileError) {
        self.init(error.path, error.operation, expected: error.expected, found: error.found)
    }

    /// Runs `body` (which calls KDSupport's file helpers), turning their FileError into a CheckpointError.
    static func onFiles<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as FileError { throw CheckpointError(error) }
    }
}

/// Renders a value for an error message: one line, at most `limit` characters.
func snippet(_ text: String, limit: Int = 60) -> String {
    var s = ""
    for ch in text.unicodeScalars {
        switch ch {
        case "\n": s += "\\n"
        case "\r": s += "\\r"
        case "\t": s += "\\t"
        default: s.unicodeScalars.append(ch.value < 0x20 ? "?" : ch)
        }
        if s.count > limit { return String(s.prefix(limit)) + "…" }
    }
    return s
}

/// `[16, 3, 3, 3]`, as shapes are written in messages.
func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
