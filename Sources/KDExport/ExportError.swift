// ExportError: a model that cannot be exported or an exported file that cannot be read back or run,
// described in one line (what, expected, found).

/// An export problem in one line.
public struct ExportError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
