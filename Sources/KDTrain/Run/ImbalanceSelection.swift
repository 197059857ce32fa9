// ImbalanceSelection: the long-tailed training subset a `data.imbalance` run keeps, chosen once per run
// (seeded) and recorded in the run directory as imbalance.json, as labeled.json records data.labeled.

import KDData

/// Which training images a long-tailed run keeps.
public struct ImbalanceSelection: Equatable, Sendable {
    /// Positions in the training set it was chosen from (after the validation hold-out and `limit`), ascending.
    public let indices: [Int]
    /// The same images as positions in the published training file.
    public let published: [Int]
    /// Kept images per class, in label order.
    public let perClass: [Int]
    /// The classes from head to tail.
    public let order: [Int]
    /// The smallest class count before the choice (the head class keeps this many).
    public let nMax: Int
    public let ratio: Double
    /// The seed of the choice.
    public let seed: Int
    /// Images in the training set the choice was made from.
    public let trainingCount: Int

    /// Chooses from `train` as `config` says; a choice the data cannot give is an error naming `data.imbalance`.
    init(_ train: ImageDataset, _ config: ImbalanceConfig) throws {
        order = config.order ?? Array(0..<train.numClasses)
        do {
            indices = try train.longTailIndices(ratio: config.ratio, order: order, seed: UInt64(config.seed) &+ 606)
        } catch let error as DataError {
            throw RunInputError("data.imbalance: expected \(error.expected) in \(train.source), found \(error.found)")
        }
        published = indices.map(train.origin(of:))
        var counts = [Int](repeating: 0, count: train.numClasses)
        for i in indices { counts[Int(train.labels[i])] += 1 }
        (perClass, nMax, ratio) = (counts, train.classCounts.min() ?? 0, config.ratio)
        (seed, trainingCount) = (config.seed, train.count)
    }

    /// imbalance.json: the rule's inputs, the counts and the published index of every kept image.
    var json: JSONValue {
        [
            "ratio": .number(ratio), "order": .array(order.map(JSONValue.int)), "n_max": .int(nMax), "seed": .int(seed),
            "count": .int(indices.count), "training_images": .int(trainingCount),
            "per_class": .array(perClass.map(JSONValue.int)),
            "published_indices": .array(published.map(JSONValue.int)),
        ]
    }
}
