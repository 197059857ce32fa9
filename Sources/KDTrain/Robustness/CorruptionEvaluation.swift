// CorruptionEvaluation: a model's accuracy on a clean set and under every requested (corruption,
// severity) of a table (beyond.md §2.3), the corrupted sets generated on the fly exactly as
// `kdistill corrupt` writes them; the summary figures are CorruptionResults'.

import Foundation
import KDData
import KDNN

/// Common-corruption evaluation (MNIST-C, Mu & Gilmer 2019; CIFAR-10-C, Hendrycks & Dietterich 2019).
public enum CorruptionEvaluation {
    /// Clean accuracy A₀ and A_{c,s} for each of `corruptions` at each of `severities` of `model` with
    /// `normalization` on `images`, in eval mode. `seed` fixes the noise (`CorruptionStreams`); `progress`
    /// hears each pair before it is evaluated.
    public static func run(
        model: Model, normalization: Normalization, images: ImageDataset,
        corruptions: [Corruption] = Corruption.allCases, severities: [Int] = Array(Severities.range),
        table: CorruptionTable, seed: Int = 0, batchSize: Int = 1000,
        progress: ((Corruption, Int) -> Void)? = nil
    ) throws -> CorruptionResults {
        guard images.imageShape == model.spec.inputShape, images.numClasses == model.spec.numClasses else {
            throw RunInputError(
                "\(images.source): expected images of shape \(model.spec.inputShape) with \(model.spec.numClasses) classes "
                    + "for \(model.spec.name), found \(images.imageShape) with \(images.numClasses)")
        }
        guard !corruptions.isEmpty, !severities.isEmpty else {
            throw RunInputError("corruptions: expected at least one corruption and one severity, found none")
        }
        guard seed >= 0 else { throw RunInputError("seed: expected a non-negative seed, found \(seed)") }
        func accuracy(_ data: ImageDataset) throws -> Double {
            Evaluator.accuracy(
                model, try BatchLoader(dataset: data, normalization: normalization, batchSize: batchSize, shuffle: false))
        }
        let clean = try accuracy(images)
        var accuracies: [Corruption: [Double]] = [:]
        for corruption in corruptions {
            accuracies[corruption] = try severities.map { severity in
                progress?(corruption, severity)
                return try accuracy(images.corrupted(corruption, severity: severity, table: table, seed: UInt64(seed)))
            }
        }
        return try CorruptionResults(
            table: table, seed: seed, images: images.count, clean: clean, corruptions: corruptions, severities: severities,
            accuracies: accuracies)
    }
}
