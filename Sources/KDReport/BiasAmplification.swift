// BiasAmplification: what distillation does to each class compared with the same student trained on
// one-hot labels (beyond.md 3.2, after Lukasik et al., "Teacher's pet", TMLR 2022): d_c, its mean and
// minimum, the harmed classes, and Spearman's ρ between the teacher's a_c and d_c (kdistill's figures).

import Foundation

/// The distillation effect of one distilled student group S_kd against its one-hot baseline S_ce.
public struct BiasAmplification: Equatable {
    /// d_c = a_c(S_kd) − a_c(S_ce), seed-averaged accuracies.
    public var effect: ClassGap
    /// SE(d_c) = sqrt(ā_kd(1 − ā_kd)/n_c + ā_ce(1 − ā_ce)/n_c): the binomial errors of the two seed-averaged
    /// accuracies on the n_c test images of the class, combined as if independent (seeds share the test
    /// images, so they are not counted as more images).
    public var standardError: [Double?]
    /// Classes with d_c < −2·SE(d_c), in class order.
    public var harmed: [Int]
    /// Spearman ρ between the teacher's a_c and d_c (nil without a teacher, or when either is constant).
    public var rho: Double?
    /// Worst-class accuracy of S_kd and of S_ce.
    public var worstDistilled: Double?, worstBaseline: Double?

    /// The figures of `distilled` against `baseline` (same classes and test split), with `teacher`'s
    /// accuracies for ρ; nil when the class counts differ.
    public init?(distilled: ClassFairness, baseline: ClassFairness, teacher: ClassFairness?) {
        guard let effect = distilled.gap(to: baseline) else { return nil }
        self.effect = effect
        let se = distilled.accuracy.indices.map { c -> Double? in
            guard let a = distilled.accuracy[c], let b = baseline.accuracy[c] else { return nil }
            let n = c < distilled.support.count ? distilled.support[c] : 0
            guard n > 0 else { return nil }
            return ((max(0, a * (1 - a)) + max(0, b * (1 - b))) / Double(n)).squareRoot()
        }
        standardError = se
        harmed = effect.perClass.indices.filter { c in
            guard let d = effect.perClass[c], let s = se[c] else { return false }
            return d < -2 * s
        }
        if let teacher, teacher.classCount == distilled.classCount {
            let pairs = zip(teacher.accuracy, effect.perClass).compactMap { t, d in t.flatMap { t in d.map { (t, $0) } } }
            rho = Spearman.rho(pairs.map(\.0), pairs.map(\.1))
        }
        (worstDistilled, worstBaseline) = (distilled.worstClass?.accuracy, baseline.worstClass?.accuracy)
    }
}

/// Spearman's rank correlation.
public enum Spearman {
    /// Ranks 1...n of `x`, ties given the average of the ranks they span ([10, 20, 20, 5] → [2, 3.5, 3.5, 1]).
    public static func ranks(_ x: [Double]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var r = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = average }
            i = j + 1
        }
        return r
    }

    /// ρ: Pearson's correlation of the average ranks of `x` and `y`; nil with fewer than two pairs,
    /// different lengths, or a constant side.
    public static func rho(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        let (rx, ry) = (ranks(x), ranks(y))
        let n = Double(x.count)
        let (mx, my) = (rx.reduce(0, +) / n, ry.reduce(0, +) / n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(rx, ry) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }
}
