// Progress: download progress on standard error: a live bar redrawn in place on a terminal, and
// sparse plain lines (every 10%) when stderr is a file or pipe, so logs stay readable.

import Foundation

/// Receives download progress. Calls for one file come from one thread at a time.
public protocol ProgressReporter: AnyObject {
    /// A transfer named `label` starts with `already` bytes present (resume) out of `total` (nil: unknown).
    func begin(_ label: String, total: Int64?, already: Int64)
    /// `bytes` of the file are now present.
    func advance(to bytes: Int64)
    /// The transfer ended (successfully or not).
    func end()
    /// A one-line message outside any transfer (skips, extraction, checks).
    func note(_ message: String)
}

/// The standard reporter: a live bar on a terminal, otherwise a plain line per 10%.
public final class ProgressBar: ProgressReporter {
    private let write: (String) -> Void
    private let live: Bool
    private let clock: () -> TimeInterval
    private var label = "", total: Int64?, start: Int64 = 0, current: Int64 = 0
    private var started: TimeInterval = 0, lastDraw: TimeInterval = -1, lastStep = -1
    private let width = 30

    /// A reporter writing to `write` (default: stderr); `live` selects the redrawn bar (default: stderr is a tty).
    public init(
        live: Bool = isatty(STDERR_FILENO) != 0,
        clock: @escaping () -> TimeInterval = { Date().timeIntervalSince1970 },
        write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.live = live
        self.clock = clock
        self.write = write
    }

    /// Prints the header line (plain) or the first bar (live).
    public func begin(_ label: String, total: Int64?, already: Int64) {
        self.label = label
        self.total = total
        start = already
        current = already
        started = clock()
        lastDraw = -1
        lastStep = -1
        if !live {
            let resumed = already > 0 ? ", resuming at \(Self.megabytes(already))" : ""
            write("\(label): downloading \(total.map(Self.megabytes) ?? "unknown size")\(resumed)\n")
            lastStep = percent.map { $0 / 10 } ?? 0
        } else {
            draw()
        }
    }

    /// Redraws at most every 0.1 s (live) or prints a line per new 10% (plain).
    public func advance(to bytes: Int64) {
        current = bytes
        if live {
            if clock() - lastDraw >= 0.1 { draw() }
        } else if let p = percent, p / 10 > lastStep, p < 100 {
            lastStep = p / 10
            write("\(label): \(p / 10 * 10)% (\(Self.megabytes(current)) of \(total.map(Self.megabytes) ?? "?"))\n")
        } else if percent == nil, current / (16 << 20) > Int64(lastStep) {
            lastStep = Int(current / (16 << 20))
            write("\(label): \(Self.megabytes(current))\n")
        }
    }

    /// Final bar and newline (live) or a `done` line (plain).
    public func end() {
        if live { draw(); write("\n") } else { write("\(label): done, \(Self.megabytes(current))\n") }
    }

    /// Writes `message` as its own line.
    public func note(_ message: String) { write(message + "\n") }

    private var percent: Int? {
        guard let t = total, t > 0 else { return nil }
        return Int(min(100, current * 100 / t))
    }

    private func draw() {
        lastDraw = clock()
        let elapsed = max(lastDraw - started, 1e-3)
        let rate = Double(current - start) / elapsed
        let speed = "\(Self.megabytes(Int64(rate)))/s"
        if let p = percent, let t = total {
            let filled = p * width / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write("\r\(label) [\(bar)] \(String(format: "%3d", p))% \(Self.megabytes(current))/\(Self.megabytes(t)) \(speed)  ")
        } else {
            write("\r\(label) \(Self.megabytes(current)) \(speed)  ")
        }
    }

    /// `12.3 MB` style size.
    static func megabytes(_ bytes: Int64) -> String {
        bytes < 1_000_000 ? String(format: "%.1f kB", Double(bytes) / 1e3) : String(format: "%.1f MB", Double(bytes) / 1e6)
    }
}
