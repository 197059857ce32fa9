// Parallel: the one place that fans work out over cores. Work is split into a fixed number of
// contiguous chunks (one per thread), so results never depend on scheduling: runs are repeatable.

import Foundation

/// Thread settings and the chunked parallel loop used by every kernel.
public enum Parallel {
    nonisolated(unsafe) private static var threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Number of threads kernels use (`--threads`). Defaults to the number of active cores.
    public static var threads: Int {
        get { threadCount }
        set { threadCount = max(1, newValue) }
    }

    /// Calls `body` once per chunk of `0..<count`, in parallel when `count >= minPerThread * 2`.
    /// Chunk boundaries depend only on `count` and `threads`, never on timing.
    @inlinable
    public static func chunks(_ count: Int, minPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = Swift.min(threads, Swift.max(1, count / Swift.max(1, minPerThread)))
        if parts <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let lo = count * p / parts, hi = count * (p + 1) / parts
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Like `chunks`, also passing the chunk's index (for per-thread scratch buffers).
    @inlinable
    public static func indexedChunks(_ count: Int, minPerThread: Int = 1, _ body: (Int, Range<Int>) -> Void) -> Int {
        let parts = Swift.min(threads, Swift.max(1, count / Swift.max(1, minPerThread)))
        if parts <= 1 {
            if count > 0 { body(0, 0..<count) }
            return 1
        }
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let lo = count * p / parts, hi = count * (p + 1) / parts
            if lo < hi { body(p, lo..<hi) }
        }
        return parts
    }

    /// The number of chunks `chunks(count, minPerThread:)` will use.
    @inlinable
    public static func partCount(_ count: Int, minPerThread: Int = 1) -> Int {
        Swift.max(1, Swift.min(threads, Swift.max(1, count / Swift.max(1, minPerThread))))
    }
}
