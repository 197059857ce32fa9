// LongTail: `data.imbalance`'s long-tailed training subset: Cui et al. 2019's exponential profile as
// LDAM-DRW's `get_img_num_per_cls` computes it, and a seeded per-class choice of that many images.

import Foundation
import KDTensor

extension ImageDataset {
    /// Images kept per position in the class order: `n_i = floor(nMax · (1/ratio)^(i/(K−1)))`, i = 0..K−1
    /// (Cui et al. 2019; LDAM-DRW's `img_max * imb_factor**(i / (cls_num - 1))`, truncated). One class keeps nMax.
    public static func longTailProfile(nMax: Int, ratio: Double, classes k: Int) -> [Int] {
        guard k > 1 else { return [nMax] }
        return (0..<k).map { i in Int(Double(nMax) * pow(1 / ratio, Double(i) / Double(k - 1))) }
    }

    /// The images a long-tailed subset keeps, ascending. The class at position i of `order` (a permutation of
    /// the labels) keeps `longTailProfile(...)[i]` images, nMax being the smallest class count here; within a
    /// class a seeded partial Fisher-Yates picks them (classes in label order, one generator). Throws when a
    /// class would keep no image or has none to start with.
    public func longTailIndices(ratio: Double, order: [Int], seed: UInt64) throws -> [Int] {
        let k = numClasses
        guard ratio >= 1, ratio.isFinite else {
            throw DataError(file: source, expected: "an imbalance ratio >= 1", found: "\(ratio)")
        }
        guard order.sorted() == Array(0..<k) else {
            throw DataError(file: source, expected: "a class order holding each of 0..<\(k) once", found: "\(order)")
        }
        var groups = [[Int]](repeating: [], count: k)
        for (i, label) in labels.enumerated() { groups[Int(label)].append(i) }
        let nMax = groups.map(\.count).min() ?? 0
        let profile = Self.longTailProfile(nMax: nMax, ratio: ratio, classes: k)
        var quota = [Int](repeating: 0, count: k)
        for (position, c) in order.enumerated() { quota[c] = profile[position] }
        if let short = (0..<k).first(where: { quota[$0] < 1 }) {
            throw DataError(
                file: source,
                expected: "at least one image of class \(short) (\(classNames[short])) at ratio \(ratio)",
                found: "\(quota[short]) of the smallest class count \(nMax)")
        }
        var rng = SeededGenerator(seed: seed)
        var chosen: [Int] = []
        chosen.reserveCapacity(quota.reduce(0, +))
        for c in 0..<k {
            var g = groups[c]
            for j in 0..<quota[c] { g.swapAt(j, j + rng.int(below: g.count - j)) }
            chosen.append(contentsOf: g.prefix(quota[c]))
        }
        return chosen.sorted()
    }
}
