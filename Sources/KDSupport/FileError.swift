// FileError: the one error type of KDSupport's file helpers: `<path>: <operation>: expected …, found …`.
// Each module turns it into its own error type (DataError, CheckpointError, RunError) at its boundary.

import Foundation

/// A file that cannot be read, created, written or renamed, described in one line.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or directory at fault.
    public let path: String
    /// What was being done: `file` (opening for reading), `read`, `create`, `write`, `fsync`, `rename`, `mkdir`.
    public let operation: String
    /// What success would have needed.
    public let expected: String
    /// What happened instead (usually the system's message).
    public let found: String

    /// An error about `path` during `operation`.
    public init(_ path: String, _ operation: String, expected: String, found: String) {
        (self.path, self.operation, self.expected, self.found) = (path, operation, expected, found)
    }

    /// `<path>: <operation>: expected …, found …`.
    public var description: String { "\(path): \(operation): expected \(expected), found \(found)" }

    /// The message of the last failed system call (`errno`).
    static func lastSystemError() -> String { String(cString: strerror(errno)) }
}

extension FileError: LocalizedError {
    /// Same as `description`, so `localizedDescription` stays informative.
    public var errorDescription: String? { description }
}
