// BiasSearch: the choice of one shared δ added to the logits of some classes (Hinton et al. 2015 §3's
// bias correction), on logits computed once: a validation-accuracy grid, or label-free bisection on
// the softmax mass of those classes. Pure functions of `[N, K]` logits, tested on synthetic ones.

import Foundation

/// Logits of N images over K classes, row-major `[N, K]`, with the classes δ is added to.
public struct ShiftedLogits: Sendable {
    /// `[N, K]`.
    public let values: [Float]
    /// K.
    public let classes: Int
    /// Whether δ is added to each class (`[K]`).
    public let shifted: [Bool]

    /// `values` `[N, K]`; `listed` must be classes in 0..<K.
    public init(_ values: [Float], classes k: Int, listed: [Int]) {
        precondition(k > 0 && values.count % k == 0, "logits of \(values.count) values are not [N, \(k)]")
        self.values = values
        classes = k
        var shifted = [Bool](repeating: false, count: k)
        for c in listed {
            precondition(c >= 0 && c < k, "class \(c) outside 0..<\(k)")
            shifted[c] = true
        }
        self.shifted = shifted
    }

    /// N.
    public var count: Int { values.count / classes }

    /// The predicted class of image `i` with δ added: the first largest logit (as Evaluator's argmax).
    public func prediction(_ i: Int, delta: Float) -> Int {
        let row = i * classes
        var best = 0
        var bestValue = values[row] + (shifted[0] ? delta : 0)
        for c in 1..<classes {
            let z = values[row + c] + (shifted[c] ? delta : 0)
            if z > bestValue { (best, bestValue) = (c, z) }
        }
        return best
    }

    /// How many images `labels` `[N]` calls correctly with δ added.
    public func correct(_ labels: [Int32], delta: Float) -> Int {
        precondition(labels.count == count, "\(labels.count) labels for \(count) images")
        return (0..<count).reduce(0) { $0 + (prediction($1, delta: delta) == Int(labels[$1]) ? 1 : 0) }
    }

    /// Mean over images of the softmax mass of the shifted classes with δ added (log-sum-exp per group:
    /// mass = 1 / (1 + exp(lse_other − lse_shifted − δ))).
    public func meanMass(delta: Double) -> Double {
        var total = 0.0
        for i in 0..<count {
            var shiftedLSE = LogSumExp(), otherLSE = LogSumExp()
            for c in 0..<classes {
                let z = Double(values[i * classes + c])
                if shifted[c] { shiftedLSE.add(z) } else { otherLSE.add(z) }
            }
            total += 1 / (1 + exp(otherLSE.value - shiftedLSE.value - delta))
        }
        return total / Double(max(count, 1))
    }
}

/// A running log-sum-exp.
struct LogSumExp {
    private var maxValue = -Double.infinity
    private var scaledSum = 0.0

    mutating func add(_ z: Double) {
        if z > maxValue {
            scaledSum = scaledSum * exp(maxValue - z) + 1
            maxValue = z
        } else {
            scaledSum += exp(z - maxValue)
        }
    }

    /// log Σ exp(z); −∞ for none.
    var value: Double { maxValue + log(scaledSum) }
}

/// The two ways of choosing δ.
public enum BiasSearch {
    /// The grid of `val-grid`: δ = k · 0.05 for k in −200...200 (−10 … +10).
    public static let gridSteps = -200...200
    /// The grid spacing.
    public static let gridStep: Float = 0.05

    /// `val-grid`: the δ of the grid with the most correct images; ties go to the smallest |δ|, and
    /// between +δ and −δ to −δ. Returns δ and its number of correct images.
    public static func grid(_ logits: ShiftedLogits, labels: [Int32]) -> (delta: Float, correct: Int) {
        // Visit 0, −0.05, +0.05, −0.1, ...: only a strictly better count replaces the best, so ties stay
        // with the first visited (the smallest |δ|, then the negative one).
        let order = gridSteps.sorted { (abs($0), $0) < (abs($1), $1) }
        var best = (delta: Float(0), correct: -1)
        for k in order {
            let delta = Float(k) * gridStep
            let correct = logits.correct(labels, delta: delta)
            if correct > best.correct { best = (delta, correct) }
        }
        return best
    }

    /// `prior`: the δ at which the mean softmax mass of the shifted classes equals `target` (in (0, 1)),
    /// by bisection (the mass increases with δ); nil when no δ within ±10,000 reaches it.
    public static func prior(_ logits: ShiftedLogits, target: Double) -> Double? {
        guard target > 0, target < 1, logits.count > 0 else { return nil }
        let excess = { (delta: Double) in logits.meanMass(delta: delta) - target }
        var lo = -10.0, hi = 10.0
        while excess(lo) > 0 {
            lo *= 2
            if lo < -10_000 { return nil }
        }
        while excess(hi) < 0 {
            hi *= 2
            if hi > 10_000 { return nil }
        }
        for _ in 0..<100 where hi - lo > 1e-9 {
            let mid = (lo + hi) / 2
            if excess(mid) < 0 { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}
