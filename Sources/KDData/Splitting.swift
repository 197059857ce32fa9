// Splitting: seeded, class-stratified subsets of a dataset: a validation split held out of the
// training set and a `limit` subsample for quick runs. Indices come back in ascending order.

import Foundation
import KDTensor

extension ImageDataset {
    /// `n` indices drawn per class in proportion to class sizes (largest remainder), seeded, ascending.
    public func stratifiedIndices(_ n: Int, seed: UInt64) -> [Int] {
        let total = count
        let take = Swift.max(0, Swift.min(n, total))
        var groups = [[Int]](repeating: [], count: numClasses)
        for (i, l) in labels.enumerated() { groups[Int(l)].append(i) }
        var quota = groups.map { take * $0.count / Swift.max(total, 1) }
        let remainders = groups.map { take * $0.count % Swift.max(total, 1) }
        var left = take - quota.reduce(0, +)
        let byRemainder = (0..<numClasses).sorted { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }
        for c in byRemainder where left > 0 && quota[c] < groups[c].count {
            quota[c] += 1
            left -= 1
        }
        var rng = SeededGenerator(seed: seed)
        var chosen: [Int] = []
        chosen.reserveCapacity(take)
        for c in 0..<numClasses {
            var g = groups[c]
            // Partial Fisher-Yates: the first quota[c] entries become a uniform sample.
            for k in 0..<quota[c] {
                let j = k + rng.int(below: g.count - k)
                g.swapAt(k, j)
            }
            chosen.append(contentsOf: g.prefix(quota[c]))
        }
        return chosen.sorted()
    }

    /// Holds `count` images (stratified, seeded) out of this set: returns the rest and the held-out part.
    public func splitValidation(count n: Int, seed: UInt64) throws -> (train: ImageDataset, validation: ImageDataset) {
        guard n > 0, n < count else {
            throw DataError(file: source, expected: "a validation size in 1..<\(count)", found: "\(n)")
        }
        let held = stratifiedIndices(n, seed: seed)
        var isHeld = [Bool](repeating: false, count: count)
        for i in held { isHeld[i] = true }
        let rest = (0..<count).filter { !isHeld[$0] }
        return (subset(indices: rest), subset(indices: held))
    }

    /// A seeded, class-stratified subsample of `n` images (the whole set when `n >= count`).
    public func limited(to n: Int, seed: UInt64) throws -> ImageDataset {
        guard n > 0 else {
            throw DataError(file: source, expected: "a positive limit", found: "\(n)")
        }
        if n >= count { return self }
        return subset(indices: stratifiedIndices(n, seed: seed))
    }
}
