// LabeledSubset: which training images keep their labels when a run has few (`data.labeled`): a
// class-balanced, seeded choice, and the label value that marks every other image as unlabelled.

import KDTensor

/// How many labels a run keeps (`data.labeled`).
public enum LabeledAmount: Equatable, Sendable {
    /// This many images in all.
    case count(Int)
    /// This share of the training images (rounded to the nearest whole image).
    case fraction(Double)
    /// This many images of every class.
    case perClass(Int)
}

/// The label an image without one carries in a batch (`Batch.labels`): no loss or metric reads it.
public let unlabeledMark: Int32 = -1

extension ImageDataset {
    /// The images whose labels are kept: class-balanced, not proportional. For n images in all, each of the
    /// K classes gets `floor(n / K)` and the first `n mod K` classes in label order one more; within a class
    /// a seeded partial Fisher-Yates picks them (as Mean Teacher's balanced label files). Ascending.
    /// Throws when n is not in 1...count or a class has fewer images than its quota.
    public func balancedLabeledIndices(_ amount: LabeledAmount, seed: UInt64) throws -> [Int] {
        let k = numClasses
        let total: Int
        switch amount {
        case .count(let n): total = n
        case .fraction(let f): total = Int((f * Double(count)).rounded())
        case .perClass(let m): total = m * k
        }
        guard total >= 1, total <= count else {
            throw DataError(file: source, expected: "between 1 and \(count) labelled images", found: "\(total)")
        }
        var groups = [[Int]](repeating: [], count: k)
        for (i, label) in labels.enumerated() { groups[Int(label)].append(i) }
        var rng = SeededGenerator(seed: seed)
        var chosen: [Int] = []
        chosen.reserveCapacity(total)
        for c in 0..<k {
            let quota = total / k + (c < total % k ? 1 : 0)
            var g = groups[c]
            guard quota <= g.count else {
                throw DataError(
                    file: source, expected: "at least \(quota) images of class \(c) (\(classNames[c])) to label",
                    found: "\(g.count)")
            }
            for j in 0..<quota { g.swapAt(j, j + rng.int(below: g.count - j)) }
            chosen.append(contentsOf: g.prefix(quota))
        }
        return chosen.sorted()
    }
}
