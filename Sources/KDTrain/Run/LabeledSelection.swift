// LabeledSelection: the training images a `data.labeled` run keeps labels for, chosen once per run
// (class-balanced, seeded) and recorded in the run directory as labeled.json for audit and reuse.

import KDData

/// Which training images keep their labels.
public struct LabeledSelection: Equatable, Sendable {
    /// Positions in the run's training set (after the validation hold-out and `limit`), ascending.
    public let indices: [Int]
    /// The same images as positions in the published training file.
    public let published: [Int]
    /// Labelled images per class, in label order.
    public let perClass: [Int]
    /// The seed of the choice.
    public let seed: Int
    /// Images in the training set the choice was made from.
    public let trainingCount: Int

    /// Chooses from `train` as `config` says; a choice the data cannot give is an error naming `data.labeled`.
    init(_ train: ImageDataset, _ config: LabeledConfig) throws {
        do {
            indices = try train.balancedLabeledIndices(config.amount, seed: UInt64(config.seed) &+ 404)
        } catch let error as DataError {
            throw RunInputError("data.labeled: \(error.expected) in \(train.source), found \(error.found)")
        }
        published = indices.map(train.origin(of:))
        var counts = [Int](repeating: 0, count: train.numClasses)
        for i in indices { counts[Int(train.labels[i])] += 1 }
        (perClass, seed, trainingCount) = (counts, config.seed, train.count)
    }

    /// labeled.json: the seed, the counts and the published index of every labelled image.
    var json: JSONValue {
        [
            "seed": .int(seed), "count": .int(indices.count), "training_images": .int(trainingCount),
            "per_class": .array(perClass.map(JSONValue.int)),
            "published_indices": .array(published.map(JSONValue.int)),
        ]
    }
}
