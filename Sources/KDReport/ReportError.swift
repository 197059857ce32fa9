// ReportError: the one error type of KDReport: run directories that give nothing to report or a bad
// `--by` (the user's input, exit status 2), or a report file that cannot be written (exit status 1).

/// A report that cannot be made, described in one line.
public struct ReportError: Error, CustomStringConvertible {
    /// Whose fault it is.
    public enum Kind: Sendable {
        /// The arguments or run directories given.
        case input
        /// Writing the report's files.
        case output
    }

    /// Input or output.
    public let kind: Kind
    /// One line: what failed, where.
    public let description: String

    /// An error of `kind` with its message.
    public init(_ kind: Kind, _ description: String) {
        (self.kind, self.description) = (kind, description)
    }
}
