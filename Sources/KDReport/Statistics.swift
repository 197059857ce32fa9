// Statistics: mean and sample standard deviation over seeds, and how the report prints them
// (`91.23 ± 0.45`, `—` for the deviation of a single seed).

import Foundation

/// Mean and sample standard deviation (n − 1) of some values.
public struct MeanStd: Equatable, Sendable {
    /// Arithmetic mean.
    public var mean: Double
    /// Sample standard deviation (n − 1); nil with fewer than two values.
    public var std: Double?
    /// Number of values.
    public var count: Int

    /// The statistics of `values`; nil when there are none.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        count = values.count
        mean = values.reduce(0, +) / Double(values.count)
        if values.count > 1 {
            let m = mean
            std = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
        }
    }

    /// `mean ± std` of the values times `scale`, with `digits` decimals (`85.10 ± 0.42`, `85.10 ± —`).
    public func text(scale: Double = 100, digits: Int = 2) -> String {
        let m = ReportFormat.fixed(mean * scale, digits)
        return m + " ± " + (std.map { ReportFormat.fixed($0 * scale, digits) } ?? "—")
    }
}

/// Number formatting shared by the tables, plots and page.
public enum ReportFormat {
    /// `x` with exactly `digits` decimals (`-0.00` printed as `0.00`).
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "—" }
        var p = 1.0
        for _ in 0..<max(0, digits) { p *= 10 }
        let r = (x * p).rounded() / p
        var s = String(format: "%.\(max(0, digits))f", r == 0 ? 0 : r)
        if s.hasPrefix("-") && s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
        return s
    }

    /// Seconds as `m:ss` or `h:mm:ss`.
    public static func clock(_ seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// 272474 → `272,474`.
    public static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }
}
