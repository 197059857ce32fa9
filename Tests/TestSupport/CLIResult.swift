// CLIResult: what one run of the `kdistill` binary left behind (exit status, captured output, timing),
// with the line views and the one-paragraph description tests print when an assertion fails.

import Foundation

/// The outcome of `CLIRunner.run`.
public struct CLIResult: CustomStringConvertible, Sendable {
    /// The arguments the binary was given.
    public let arguments: [String]
    /// The exit status, or the signal number when `signaled`.
    public let status: Int32
    /// Whether an uncaught signal ended the process (a crash or trap, unless the test sent it).
    public let signaled: Bool
    /// Whether the runner killed the process at its timeout.
    public let timedOut: Bool
    /// Everything written to standard output.
    public let stdout: String
    /// Everything written to standard error.
    public let stderr: String
    /// Wall time of the run.
    public let seconds: Double
    /// Whether the requested signal was sent.
    public let signalSent: Bool

    /// A result from its parts.
    public init(
        arguments: [String], status: Int32, signaled: Bool, timedOut: Bool, stdout: String, stderr: String,
        seconds: Double, signalSent: Bool
    ) {
        (self.arguments, self.status, self.signaled, self.timedOut) = (arguments, status, signaled, timedOut)
        (self.stdout, self.stderr, self.seconds, self.signalSent) = (stdout, stderr, seconds, signalSent)
    }

    /// Non-empty lines of standard output.
    public var stdoutLines: [String] { Self.lines(stdout) }
    /// Non-empty lines of standard error.
    public var stderrLines: [String] { Self.lines(stderr) }

    /// Whether the process called `exit(status)` with `status` (not a signal, not a timeout).
    public func exited(with status: Int32) -> Bool { !signaled && !timedOut && self.status == status }

    /// The command, how it ended, and its output (stderr last 40 lines), for failure messages.
    public var description: String {
        let ending = timedOut ? "timed out" : signaled ? "killed by signal \(status)" : "exit status \(status)"
        let tail = stderrLines.suffix(40).joined(separator: "\n    ")
        let out = stdout.count > 2000 ? String(stdout.prefix(2000)) + "..." : stdout
        return "`kdistill \(arguments.joined(separator: " "))`: \(ending) after \(String(format: "%.1f", seconds)) s\n"
            + "  stdout: \(out)\n  stderr:\n    \(tail)"
    }

    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init).filter { !$0.isEmpty }
    }
}
