// CLIRunner: runs the built `kdistill` executable (found next to the test bundle, in .build/<config>/)
// with arguments, environment and a working directory, capturing stdout, stderr and the exit status
// under a timeout; it can send a signal after a delay or once a line appears on standard error.

import Foundation

/// When to send a signal to a running process.
public enum CLISignalTrigger: Sendable {
    /// This many seconds after the start.
    case after(seconds: Double)
    /// As soon as a complete line of standard error contains this text.
    case stderrLine(containing: String)
}

/// Runs the `kdistill` binary and waits for it.
public struct CLIRunner: Sendable {
    /// Environment variable naming the binary explicitly (overrides the search next to the test bundle).
    public static let binaryEnvironmentKey = "KDISTILL_BINARY"

    /// Absolute path of the executable.
    public let binary: String

    /// A runner for the executable at `binary`.
    public init(binary: String) { self.binary = binary }

    /// The runner for the `kdistill` built in the same configuration as the running tests, or an error
    /// saying where it looked and how to build it.
    public static func locate(name: String = "kdistill") throws -> CLIRunner {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment[binaryEnvironmentKey], !explicit.isEmpty {
            guard fm.isExecutableFile(atPath: explicit) else {
                throw CLIRunnerError("\(binaryEnvironmentKey)=\(explicit): expected an executable file, found none")
            }
            return CLIRunner(binary: explicit)
        }
        var directories: [String] = []
        for path in [Bundle.main.executablePath, CommandLine.arguments.first].compactMap({ $0 }) {
            directories.append(URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent().path)
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent().path)
        }
        var seen = Set<String>()
        for dir in directories where seen.insert(dir).inserted {
            let candidate = dir + "/" + name
            if fm.isExecutableFile(atPath: candidate) { return CLIRunner(binary: candidate) }
        }
        throw CLIRunnerError(
            "the \(name) binary was not found next to the test bundle (looked in \(seen.sorted().joined(separator: ", "))); "
                + "build it first with `swift build -c <debug|release> --product \(name)` (`make test` does) "
                + "or set \(binaryEnvironmentKey)")
    }

    /// Runs the binary with `arguments` in `directory` (default: the current one), with the parent's
    /// environment minus every `KDISTILL_*` variable, plus `environment`. Kills it (SIGKILL) after `timeout`
    /// seconds. With `signal`, sends that signal once `trigger` fires (at most once, only while it runs).
    public func run(
        _ arguments: [String], directory: String? = nil, environment: [String: String] = [:],
        timeout: Double = 120, signal: Int32? = nil, when trigger: CLISignalTrigger? = nil
    ) throws -> CLIResult {
        try start(arguments, directory: directory, environment: environment, signal: signal, when: trigger)
            .wait(timeout: timeout)
    }

    /// Starts the binary as `run` does and returns at once; `wait` on the result collects it. Several
    /// runs side by side are started one after another from one thread (Foundation's `Process` is not
    /// safe to launch from concurrent threads), then waited for.
    public func start(
        _ arguments: [String], directory: String? = nil, environment: [String: String] = [:],
        signal: Int32? = nil, when trigger: CLISignalTrigger? = nil
    ) throws -> CLIRunning {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KDISTILL_") }
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let state = RunState(signal: signal, trigger: trigger)
        process.terminationHandler = { _ in state.markExited() }
        let started = Date()
        do { try process.run() } catch {
            throw CLIRunnerError("\(binary): cannot start (\(error))")
        }
        state.setPID(process.processIdentifier)
        let readers = DispatchGroup()
        for (pipe, isError) in [(out, false), (err, true)] {
            DispatchQueue.global().async(group: readers) {
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    state.append(chunk, stderr: isError)
                }
            }
        }
        if case .after(let seconds)? = trigger {
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { state.fire() }
        }
        return CLIRunning(arguments: arguments, process: process, state: state, readers: readers, started: started)
    }
}

/// A started `kdistill` process; `wait` collects its output and exit status.
public final class CLIRunning {
    let arguments: [String]
    let process: Process
    fileprivate let state: RunState
    let readers: DispatchGroup
    let started: Date

    fileprivate init(arguments: [String], process: Process, state: RunState, readers: DispatchGroup, started: Date) {
        self.arguments = arguments
        self.process = process
        self.state = state
        self.readers = readers
        self.started = started
    }

    /// Waits for the process to exit, killing it (SIGKILL) once `timeout` seconds have passed since it
    /// was started; returns what it wrote and how it ended.
    public func wait(timeout: Double = 120) -> CLIResult {
        var timedOut = false
        if state.exited.wait(timeout: .now() + max(0, timeout - Date().timeIntervalSince(started))) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            state.exited.wait()
        }
        _ = readers.wait(timeout: .now() + 10)
        let (stdout, stderr, sent) = state.snapshot()
        return CLIResult(
            arguments: arguments, status: process.terminationStatus,
            signaled: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
            stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
            seconds: Date().timeIntervalSince(started), signalSent: sent)
    }
}

/// Output captured so far and the signal bookkeeping of one run, shared with the reader threads.
private final class RunState: @unchecked Sendable {
    let lock = NSLock()
    let exited = DispatchSemaphore(value: 0)
    let signal: Int32?
    let needle: String?
    private var pid: Int32 = 0
    private var stdout = Data(), stderr = Data()
    private var done = false, sent = false

    init(signal: Int32?, trigger: CLISignalTrigger?) {
        self.signal = signal
        if case .stderrLine(let text)? = trigger { needle = text } else { needle = nil }
    }

    func setPID(_ value: Int32) {
        lock.lock()
        pid = value
        lock.unlock()
    }

    func markExited() {
        lock.lock()
        done = true
        lock.unlock()
        exited.signal()
    }

    func append(_ chunk: Data, stderr isError: Bool) {
        lock.lock()
        if isError { stderr.append(chunk) } else { stdout.append(chunk) }
        var matched = false
        if isError, let needle, !sent {
            // Only complete lines count: everything up to the last newline.
            if let end = stderr.lastIndex(of: 0x0A) {
                matched = String(decoding: stderr[..<end], as: UTF8.self).contains(needle)
            }
        }
        lock.unlock()
        if matched { fire() }
    }

    /// Sends the signal once, if the process still runs.
    func fire() {
        lock.lock()
        defer { lock.unlock() }
        guard let signal, !sent, !done, pid > 0 else { return }
        sent = true
        kill(pid, signal)
    }

    func snapshot() -> (Data, Data, Bool) {
        lock.lock()
        defer { lock.unlock() }
        return (stdout, stderr, sent)
    }
}

/// A failure to find or start the binary.
public struct CLIRunnerError: Error, CustomStringConvertible {
    /// One line saying what went wrong.
    public let description: String
    /// An error with this message.
    public init(_ description: String) { self.description = description }
}
