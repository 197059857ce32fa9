// ProgressDisplay: training progress on standard error: a live bar (loss, accuracy, images/s, ETA) when
// standard error is a terminal, one plain line per epoch otherwise.

import Foundation

/// Reports epochs and batches of a run on standard error.
public final class ProgressDisplay {
    let live: Bool
    let label: String
    private var lastDraw = Date.distantPast
    private var epochStart = Date()

    /// `label` prefixes every line (`resnet20`, `student2`).
    public init(label: String, live: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.live = live
    }

    /// Logs one line on standard error.
    public static func log(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

    public func beginEpoch() { epochStart = Date() }

    /// Redraws the live bar (at most 10 times a second); `accuracy` nil: none to show (the student did not run).
    public func batch(epoch: Int, epochs: Int, done: Int, total: Int, loss: Double, accuracy: Double?, imagesPerSecond: Double) {
        guard live, Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = Date()
        let width = 24, filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        let elapsed = Date().timeIntervalSince(epochStart)
        let eta = done == 0 ? 0 : elapsed / Double(done) * Double(total - done)
        let line = String(
            format: "\r%@ epoch %d/%d [%@] %d/%d loss %.4f%@ %.0f img/s ETA %@",
            label, epoch, epochs, bar, done, total, loss, accuracy.map { String(format: " acc %.2f%%", $0 * 100) } ?? "",
            imagesPerSecond, Self.clock(eta))
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Ends the epoch with its summary line.
    public func endEpoch(_ summary: String) {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        Self.log("\(label) \(summary)")
    }

    /// `m:ss` or `h:mm:ss`.
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
