// Calibration: the input range of every conv and linear layer observed over calibration batches run in
// float: min–max (the extremes seen), or percentile p (the p-th and (100 − p)-th percentiles of the values,
// read from a 2048-bin histogram over the min–max range, a second pass).

import KDNN
import KDTensor

/// How activation ranges are chosen from observed values.
public enum CalibrationMethod: Equatable, Sendable {
    /// `[min, max]` of every value seen.
    case minMax
    /// `[P_(100−p), P_p]` of the values seen, p in (50, 100].
    case percentile(Float)

    /// `minmax` or `percentile 99.99`, as files and summaries name it.
    public var name: String {
        switch self {
        case .minMax: return "minmax"
        case .percentile(let p): return "percentile \(p)"
        }
    }
}

/// Activation range observation.
public enum Calibration {
    /// Histogram bins of the percentile method.
    public static let bins = 2048

    /// The input range of every layer of `program` over `batches` (normalised images).
    public static func ranges(_ program: FoldedProgram, batches: [Tensor], method: CalibrationMethod) throws -> [String:
        QuantRange]
    {
        var extremes: [String: QuantRange] = [:]
        for x in batches {
            _ = try observe(program, x) { name, t in
                let r = minMax(t)
                extremes[name] = extremes[name].map { QuantRange(lo: min($0.lo, r.lo), hi: max($0.hi, r.hi)) } ?? r
            }
        }
        guard case .percentile(let p) = method else { return extremes }
        var histograms: [String: [Int]] = [:]
        for x in batches {
            _ = try observe(program, x) { name, t in
                guard let r = extremes[name] else { return }
                var h = histograms[name] ?? [Int](repeating: 0, count: bins)
                accumulate(t, range: r, into: &h)
                histograms[name] = h
            }
        }
        return extremes.mapValues { $0 }.reduce(into: [:]) { out, entry in
            out[entry.key] = histograms[entry.key].map { percentileRange($0, range: entry.value, percentile: p) } ?? entry.value
        }
    }

    /// Runs `program` in float on `x`, reporting each layer's input to `see`.
    static func observe(_ program: FoldedProgram, _ x: Tensor, _ see: (String, Tensor) -> Void) throws -> Tensor {
        try program.run(x) { l, input in
            see(l.name, input)
            let w = Tensor(shape: l.weightShape, scalars: l.weight)
            let b = l.bias.map { Tensor(shape: [$0.count], scalars: $0) }
            switch l.kind {
            case .linear: return linear(input, weight: w, bias: b)
            case .conv(_, let stride, let padding): return conv2d(input, weight: w, bias: b, stride: stride, padding: padding)
            }
        }
    }

    /// The smallest and largest value of `t`.
    public static func minMax(_ t: Tensor) -> QuantRange {
        var lo = Float.infinity, hi = -Float.infinity
        for i in 0..<t.count {
            lo = min(lo, t.data[i])
            hi = max(hi, t.data[i])
        }
        return t.count == 0 ? QuantRange(lo: 0, hi: 0) : QuantRange(lo: lo, hi: hi)
    }

    /// Adds the values of `t` to `histogram`, `bins` equal bins over `range` (values outside go to the ends).
    public static func accumulate(_ t: Tensor, range: QuantRange, into histogram: inout [Int]) {
        let n = histogram.count, width = (range.hi - range.lo) / Float(n)
        guard width > 0 else {
            histogram[0] += t.count
            return
        }
        for i in 0..<t.count {
            let b = Int(((t.data[i] - range.lo) / width).rounded(.down))
            histogram[min(max(b, 0), n - 1)] += 1
        }
    }

    /// `[P_(100−p), P_p]` from a histogram over `range`: the lower edge of the bin where the cumulative count
    /// first exceeds (1 − p/100) of the total, the upper edge of the bin where it first reaches p/100.
    public static func percentileRange(_ histogram: [Int], range: QuantRange, percentile p: Float) -> QuantRange {
        let total = histogram.reduce(0, +), n = histogram.count
        guard total > 0, range.hi > range.lo else { return range }
        let width = (range.hi - range.lo) / Float(n)
        let lowCount = Double(total) * Double(100 - p) / 100, highCount = Double(total) * Double(p) / 100
        var cumulative = 0, lo = range.lo, hi = range.hi, foundLow = false
        for (b, c) in histogram.enumerated() {
            cumulative += c
            if !foundLow && Double(cumulative) > lowCount {
                lo = range.lo + Float(b) * width
                foundLow = true
            }
            if Double(cumulative) >= highCount {
                hi = range.lo + Float(b + 1) * width
                break
            }
        }
        return QuantRange(lo: lo, hi: min(hi, range.hi))
    }
}
