// FairnessMetrics: per-class figures of one classifier on one split (beyond.md 3.1): support, accuracy
// and its binomial standard error per class, mean per-class, worst-class and worst-k means, and the
// student-teacher gap. Plain arithmetic on counts, shared by `eval`, summary.json and the report.

import Foundation

/// The rules that depend on the number of classes K, in one place.
public enum FairnessRule {
    /// The size of the "worst few" and of the head and tail: ceil(3K/10) (3 for K = 10, 30 for K = 100).
    public static func fewClasses(_ k: Int) -> Int { max(1, (3 * k + 9) / 10) }

    /// The k of the worst-k means: 1 and ceil(3K/10) (1 and 3 for K = 10; just 1 for K ≤ 3).
    public static func worstK(classes k: Int) -> [Int] {
        let few = min(fewClasses(k), max(k, 1))
        return few > 1 ? [1, few] : [1]
    }

    /// Head, medium and tail positions (0-based, classes ordered by training images, most first): the first
    /// ceil(3K/10), the last ceil(3K/10), and the rest (positions 0–2, 3–6, 7–9 for K = 10).
    public static func headMediumTail(classes k: Int) -> (head: Range<Int>, medium: Range<Int>, tail: Range<Int>) {
        let few = min(fewClasses(k), k / 2)
        return (0..<few, few..<(k - few), (k - few)..<k)
    }

    /// Binomial standard error of an accuracy `a` measured on `n` images: sqrt(a(1 − a)/n).
    public static func standardError(accuracy a: Double, count n: Int) -> Double {
        n > 0 ? (max(0, a * (1 - a)) / Double(n)).squareRoot() : 0
    }

    /// The mean of the `k` smallest of `values` (all of them when fewer); nil when there are none.
    public static func worstMean(_ values: [Double], k: Int) -> Double? {
        let sorted = values.sorted()
        let m = min(k, sorted.count)
        guard m > 0 else { return nil }
        return sorted.prefix(m).reduce(0, +) / Double(m)
    }
}

/// Per-class accuracy of one classifier on one labelled split.
public struct ClassFairness: Equatable {
    /// Images of each class in the split, n_c.
    public var support: [Int]
    /// a_c = correct_c / n_c; nil for a class without images (left out of every summary figure).
    public var accuracy: [Double?]
    /// Class names, when known (as many as classes).
    public var classNames: [String]?

    /// The figures of a confusion matrix `confusion[true][predicted]` (`[K, K]` counts).
    public init(confusion: [[Int]], classNames: [String]? = nil) {
        support = confusion.map { $0.reduce(0, +) }
        accuracy = confusion.enumerated().map { c, row in
            let n = row.reduce(0, +)
            return n > 0 && c < row.count ? Double(row[c]) / Double(n) : nil
        }
        self.classNames = classNames?.count == confusion.count ? classNames : nil
    }

    /// Figures from accuracies already computed (a seed average) on splits of `support` images a class.
    public init(accuracy: [Double?], support: [Int], classNames: [String]? = nil) {
        (self.accuracy, self.support) = (accuracy, support)
        self.classNames = classNames?.count == accuracy.count ? classNames : nil
    }

    /// K.
    public var classCount: Int { accuracy.count }

    /// The name of class `c` (its index when names are unknown).
    public func name(_ c: Int) -> String { classNames.map { $0[c] } ?? String(c) }

    /// The accuracies of the classes with images.
    var measured: [Double] { accuracy.compactMap { $0 } }

    /// Binomial standard error of each class's accuracy, sqrt(a_c(1 − a_c)/n_c); nil without images.
    public var standardError: [Double?] {
        zip(accuracy, support).map { a, n in a.map { FairnessRule.standardError(accuracy: $0, count: n) } }
    }

    /// (1/K) Σ a_c over the classes with images (the accuracy of a balanced split).
    public var meanPerClass: Double? { measured.isEmpty ? nil : measured.reduce(0, +) / Double(measured.count) }

    /// min_c a_c and its class (the lowest index on ties).
    public var worstClass: (index: Int, accuracy: Double)? {
        var worst: (index: Int, accuracy: Double)?
        for (c, a) in accuracy.enumerated() {
            if let a, worst.map({ a < $0.accuracy }) ?? true { worst = (c, a) }
        }
        return worst
    }

    /// The worst-k means of `FairnessRule.worstK` (k, mean of the k lowest class accuracies).
    public var worstKMeans: [(k: Int, mean: Double)] {
        FairnessRule.worstK(classes: classCount).compactMap { k in FairnessRule.worstMean(measured, k: k).map { (k, $0) } }
    }

    /// g_c = a_c(self) − a_c(teacher), for a student against its teacher on the same split; nil when the
    /// class counts differ.
    public func gap(to teacher: ClassFairness) -> ClassGap? {
        guard teacher.classCount == classCount else { return nil }
        return ClassGap(perClass: zip(accuracy, teacher.accuracy).map { s, t in s.flatMap { s in t.map { s - $0 } } })
    }
}

/// Per-class differences between two classifiers (student − teacher, or distilled − one-hot student).
public struct ClassGap: Equatable {
    /// The difference of each class (nil where either accuracy is unknown).
    public var perClass: [Double?]

    /// A gap vector.
    public init(perClass: [Double?]) { self.perClass = perClass }

    /// min_c of the differences and its class (the lowest index on ties).
    public var minimum: (index: Int, value: Double)? {
        var m: (index: Int, value: Double)?
        for (c, d) in perClass.enumerated() {
            if let d, m.map({ d < $0.value }) ?? true { m = (c, d) }
        }
        return m
    }

    /// mean_c of the differences.
    public var mean: Double? {
        let v = perClass.compactMap { $0 }
        return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
    }

    /// mean_c |difference|.
    public var meanAbsolute: Double? {
        let v = perClass.compactMap { $0 }
        return v.isEmpty ? nil : v.reduce(0) { $0 + abs($1) } / Double(v.count)
    }
}
