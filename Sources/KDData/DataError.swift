// DataError: the one error type of KDData. Its description is a single line naming the file (or URL),
// what was expected and what was found, so a user can act on it without a stack trace.

import Foundation
import KDSupport

/// A failure reading, validating or downloading data: `<file>: expected <expected>, found <found>`.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file, directory or URL at fault.
    public let file: String
    /// What a valid input would have had.
    public let expected: String
    /// What was actually there.
    public let found: String

    /// An error about `file`.
    public init(file: String, expected: String, found: String) {
        self.file = file
        self.expected = expected
        self.found = found
    }

    /// One line: `file: expected X, found Y`.
    public var description: String { "\(file): expected \(expected), found \(found)" }
}

extension DataError {
    /// A file helper's error as a DataError naming the same file (the operation is left out).
    public init(_ error: FileError) {
        self.init(file: error.path, expected: error.expected, found: error.found)
    }

    /// Runs `body` (which calls KDSupport's file helpers), turning their FileError into a DataError.
    static func onFiles<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as FileError { throw DataError(error) }
    }
}

extension DataError: LocalizedError {
    /// Same as `description`, so `localizedDescription` stays informative.
    public var errorDescription: String? { description }
}
