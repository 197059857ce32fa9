// ExitCode: the process exit statuses of kdistill, and UsageError, the error for a bad command
// line (exit 2), printed as one line plus a pointer to the command's help.

import Foundation

/// kdistill's exit statuses.
enum ExitCode: Int32 {
    /// Everything worked.
    case success = 0
    /// A runtime failure (I/O during a run, a non-finite loss, ...).
    case failure = 1
    /// Bad usage: command line, config, data or checkpoint.
    case usage = 2

    /// Ends the process with this status.
    func exit() -> Never { Foundation.exit(rawValue) }
}

/// A bad command line: `unknown option '--thread'; did you mean '--threads'?`.
struct UsageError: Error, CustomStringConvertible {
    /// What was wrong, one line.
    var message: String
    /// The subcommand being parsed (`distill`), or nil at the top level.
    var command: String?

    /// The one-line message.
    var description: String { message }

    /// Where to read more: `Run 'kdistill distill --help' for usage.`
    func hint(program: String) -> String {
        "Run '\(program)\(command.map { " " + $0 } ?? "") --help' for usage."
    }
}
