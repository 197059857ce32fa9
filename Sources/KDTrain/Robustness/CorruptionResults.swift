// CorruptionResults: the accuracies of one corruption evaluation and its summary figures (beyond.md
// §2.4): A_c = mean_s A_{c,s}, mCA = mean_c A_c, rCA = mCA / A₀; against a baseline's results, Hendrycks
// & Dietterich (2019)'s CE_c and mCE, and relative mCE. JSON both ways (robustness.json's block).

import Foundation
import KDData

/// Clean and corrupted accuracies of one model on one set.
public struct CorruptionResults: Equatable, Sendable {
    /// The severity table the corruptions used.
    public let table: CorruptionTable
    /// The seed of the noise streams.
    public let seed: Int
    /// Images evaluated (each corrupted set has as many).
    public let images: Int
    /// Clean accuracy A₀.
    public let clean: Double
    /// The corruptions evaluated, in the order requested.
    public let corruptions: [Corruption]
    /// The severities evaluated, in the order requested.
    public let severities: [Int]
    /// A_{c,s}: per corruption, one accuracy per entry of `severities`.
    public let accuracies: [Corruption: [Double]]

    /// Results; every corruption needs one accuracy per severity.
    public init(
        table: CorruptionTable, seed: Int, images: Int, clean: Double, corruptions: [Corruption], severities: [Int],
        accuracies: [Corruption: [Double]]
    ) throws {
        for c in corruptions where accuracies[c]?.count != severities.count {
            throw RunInputError(
                "corruption results: expected \(severities.count) accuracies for \(c.rawValue), found \(accuracies[c]?.count ?? 0)"
            )
        }
        guard !corruptions.isEmpty, !severities.isEmpty else {
            throw RunInputError("corruption results: expected at least one corruption and one severity, found none")
        }
        (self.table, self.seed, self.images, self.clean) = (table, seed, images, clean)
        (self.corruptions, self.severities, self.accuracies) = (corruptions, severities, accuracies)
    }

    /// A_{c,s}, or nil when (c, s) was not evaluated.
    public func accuracy(_ c: Corruption, severity: Int) -> Double? {
        severities.firstIndex(of: severity).flatMap { accuracies[c]?[$0] }
    }

    /// A_c: the mean over severities.
    public func meanAccuracy(_ c: Corruption) -> Double {
        let a = accuracies[c] ?? []
        return a.reduce(0, +) / Double(max(a.count, 1))
    }

    /// mCA = mean over corruptions of A_c.
    public var mca: Double { corruptions.map(meanAccuracy).reduce(0, +) / Double(corruptions.count) }

    /// rCA = mCA / A₀ (nil when A₀ = 0).
    public var rca: Double? { clean > 0 ? mca / clean : nil }

    /// CE_c, mCE and relative mCE of these results against `baseline`'s on the same set (same table, seed,
    /// image count, and every corruption and severity evaluated here).
    public func compared(with baseline: CorruptionResults) throws -> CorruptionComparison {
        let missing = corruptions.filter { c in severities.contains { baseline.accuracy(c, severity: $0) == nil } }
        guard baseline.table == table, baseline.seed == seed, baseline.images == images, missing.isEmpty else {
            throw RunInputError(
                "baseline: expected corruption results on \(images) images with table \(table.rawValue), seed \(seed), "
                    + "severities \(severities.map(String.init).joined(separator: ",")) of \(corruptions.map(\.rawValue).joined(separator: ",")), "
                    + "found \(baseline.images) images, table \(baseline.table.rawValue), seed \(baseline.seed)"
                    + (missing.isEmpty ? "" : ", without \(missing.map(\.rawValue).joined(separator: ","))"))
        }
        var ce: [Corruption: Double] = [:], relative: [Corruption: Double] = [:]
        for c in corruptions {
            var errors = 0.0, baseErrors = 0.0, drop = 0.0, baseDrop = 0.0
            for s in severities {
                let e = 1 - (accuracy(c, severity: s) ?? 0), eb = 1 - (baseline.accuracy(c, severity: s) ?? 0)
                errors += e
                baseErrors += eb
                drop += e - (1 - clean)
                baseDrop += eb - (1 - baseline.clean)
            }
            ce[c] = baseErrors > 0 ? errors / baseErrors : nil
            relative[c] = baseDrop != 0 ? drop / baseDrop : nil
        }
        return CorruptionComparison(corruptions: corruptions, ce: ce, relativeCE: relative, baseline: baseline)
    }
}

/// Corruption errors against a baseline (Hendrycks & Dietterich 2019), E = 1 − A:
/// `CE_c = Σ_s E_{c,s} / Σ_s E^b_{c,s}`, relative `Σ_s (E_{c,s} − E₀) / Σ_s (E^b_{c,s} − E^b₀)`.
public struct CorruptionComparison: Equatable, Sendable {
    /// The corruptions compared, in order.
    public let corruptions: [Corruption]
    /// CE_c; absent where undefined (the baseline makes no error at any severity).
    public let ce: [Corruption: Double]
    /// Relative CE_c; absent where undefined (the baseline's errors sum to its clean error's).
    public let relativeCE: [Corruption: Double]
    /// The baseline's results.
    public let baseline: CorruptionResults

    /// mCE = mean_c CE_c (nil if any CE_c is).
    public var mce: Double? { Self.mean(corruptions.map { ce[$0] }) }
    /// Relative mCE = mean_c relative CE_c (nil if any is).
    public var relativeMCE: Double? { Self.mean(corruptions.map { relativeCE[$0] }) }

    static func mean(_ values: [Double?]) -> Double? {
        let defined = values.compactMap { $0 }
        return defined.count == values.count && !values.isEmpty ? defined.reduce(0, +) / Double(values.count) : nil
    }
}
