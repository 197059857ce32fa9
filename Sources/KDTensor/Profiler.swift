// Profiler: where a step's time goes, per op and phase (forward, backward) and per named section (the
// optimizer update, a teacher's pass), for `kdistill bench --profile`. Off by default: one branch per op.
// A forward op is charged the time since the previous mark (ops run eagerly and record when done), so
// everything between two ops is attributed to the later one; backward ops are timed around their rule.

import Foundation

/// Accumulates time per (op or section, phase) while enabled.
public enum Profiler {
    /// One line of the profile.
    public struct Entry: Sendable {
        public let name: String
        /// "forward", "no-grad forward" (a teacher's pass, evaluation), "backward" or "section".
        public let phase: String
        public let calls: Int
        public let seconds: Double
    }

    nonisolated(unsafe) static var isOn = false
    nonisolated(unsafe) private static var last: UInt64 = 0
    nonisolated(unsafe) private static var totals: [String: (calls: Int, ns: UInt64)] = [:]

    /// Whether ops are being timed.
    public static var enabled: Bool { isOn }

    /// Clears the totals and starts timing (the next op is charged from now).
    public static func start() {
        totals = [:]
        isOn = true
        last = DispatchTime.now().uptimeNanoseconds
    }

    /// Stops timing; returns the totals, largest first.
    public static func stop() -> [Entry] {
        isOn = false
        return totals.map { key, value in
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            return Entry(name: parts[1], phase: parts[0], calls: value.calls, seconds: Double(value.ns) / 1e9)
        }.sorted { $0.seconds != $1.seconds ? $0.seconds > $1.seconds : $0.name < $1.name }
    }

    /// Restarts the forward clock without charging anyone (the start of a step, after untimed work).
    public static func mark() {
        if isOn { last = DispatchTime.now().uptimeNanoseconds }
    }

    /// A forward op finished: charge it the time since the previous mark.
    @inline(__always)
    static func forwardDone(_ op: Op) {
        guard isOn else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        add((GradMode.enabled ? "forward|" : "no-grad forward|") + op.rawValue, now &- last)
        last = now
    }

    /// Times a backward rule of `op` (the ops it runs are part of it, not charged as forwards).
    @inline(__always)
    static func backward<T>(_ op: Op, _ body: () -> T) -> T {
        guard isOn else { return body() }
        isOn = false
        let t0 = DispatchTime.now().uptimeNanoseconds
        let result = body()
        let now = DispatchTime.now().uptimeNanoseconds
        isOn = true
        add("backward|" + op.rawValue, now &- t0)
        last = now
        return result
    }

    /// Times `body` as the section `name` (e.g. "optimizer step"); the ops inside it are not charged separately.
    public static func section<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard isOn else { return try body() }
        isOn = false
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer {
            let now = DispatchTime.now().uptimeNanoseconds
            isOn = true
            add("section|" + name, now &- t0)
            last = now
        }
        return try body()
    }

    private static func add(_ key: String, _ ns: UInt64) {
        let old = totals[key] ?? (0, 0)
        totals[key] = (old.calls + 1, old.ns &+ ns)
    }
}
