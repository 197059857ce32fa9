// ChartScale: the data-to-pixel map of a chart axis and its "nice" ticks (steps of 1, 2 or 5 times a
// power of ten), with the domain widened to whole steps and tick labels with just enough decimals.

import Foundation

/// A linear axis: a data interval mapped onto a pixel interval (either may be decreasing).
public struct ChartScale {
    /// Data interval (lo, hi), lo < hi.
    public var lo: Double, hi: Double
    /// Tick positions in data units.
    public var ticks: [Double]
    /// Distance between ticks.
    public var step: Double

    /// A scale covering `values` with about `count` ticks; `includeZero` starts it at 0 (bars);
    /// `integral` keeps ticks on whole numbers (epochs).
    public init(covering values: [Double], count: Int = 5, includeZero: Bool = false, integral: Bool = false) {
        let finite = values.filter(\.isFinite)
        var a = finite.min() ?? 0, b = finite.max() ?? 1
        if includeZero { a = min(a, 0); b = max(b, 0) }
        if b - a < 1e-12 {
            let pad = max(abs(a) * 0.05, integral ? 1 : 1e-3)
            a -= pad
            b += pad
            if includeZero && a < 0 && finite.allSatisfy({ $0 >= 0 }) { a = 0 }
        }
        var s = ChartScale.niceStep((b - a) / Double(max(count, 1)))
        if integral { s = max(1, s.rounded()) }
        step = s
        lo = (a / s).rounded(.down) * s
        hi = (b / s).rounded(.up) * s
        if hi <= lo { hi = lo + s }
        var t: [Double] = []
        var k = 0
        while lo + Double(k) * s <= hi + s * 1e-9 && k < 1000 {
            t.append(lo + Double(k) * s)
            k += 1
        }
        ticks = t
    }

    /// 1, 2 or 5 times a power of ten, close to `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let mag = pow(10, (log10(raw)).rounded(.down))
        let norm = raw / mag
        return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag
    }

    /// Position of `x` on a pixel interval of `length` (0 at `lo`; `flipped` puts `lo` at `length`, for y axes).
    public func position(_ x: Double, length: Double, flipped: Bool = false) -> Double {
        let f = (x - lo) / (hi - lo)
        return flipped ? length * (1 - f) : length * f
    }

    /// A tick label with the decimals the step needs.
    public func tickLabel(_ x: Double) -> String {
        let decimals = max(0, Int(-(log10(step)).rounded(.down)))
        return ReportFormat.fixed(x, decimals)
    }
}
