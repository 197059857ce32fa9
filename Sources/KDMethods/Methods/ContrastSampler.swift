// ContrastSampler: crd's class-aware draw of each sample's contrast set (Tian et al. 2020, as RepDistiller,
// mdistiller and torchdistill sample): the positive, then K training indices of other classes.

import KDTensor

/// For each anchor, `[positive, negative₁ … negative_K]` as training-set indices. Negatives are drawn
/// uniformly without replacement from the other classes with Floyd's algorithm (O(K) per anchor), with
/// replacement only when those classes hold fewer than K samples. Each step's draws come from a generator
/// seeded by (seed, epoch, batch), so a resumed run repeats them without saving any sampler state.
public struct ContrastSampler {
    /// How column 0 is chosen.
    public enum Positive: String, CaseIterable, Sendable {
        /// The anchor itself (its own memory row, from its previous visit).
        case exact
        /// A random sample of the anchor's class.
        case relax
    }

    public let negatives: Int
    public let positive: Positive
    public let seed: UInt64
    /// Training indices grouped by class (stable), `[N]`; class c occupies `start[c] ..< start[c] + count[c]`.
    private let byClass: [Int32]
    private let start: [Int], count: [Int]
    private let labels: [Int32]

    /// A sampler over a training set with `labels` (`[N]`, classes 0..<C).
    public init(labels: [Int32], negatives: Int, positive: Positive, seed: UInt64) {
        let classes = Int(labels.max() ?? 0) + 1
        var count = [Int](repeating: 0, count: classes)
        for y in labels { count[Int(y)] += 1 }
        var start = [Int](repeating: 0, count: classes)
        for c in 1..<max(classes, 1) { start[c] = start[c - 1] + count[c - 1] }
        var next = start, grouped = [Int32](repeating: 0, count: labels.count)
        for (i, y) in labels.enumerated() {
            grouped[next[Int(y)]] = Int32(i)
            next[Int(y)] += 1
        }
        (self.labels, byClass, self.start, self.count) = (labels, grouped, start, count)
        (self.negatives, self.positive, self.seed) = (negatives, positive, seed)
    }

    /// Columns per anchor: the positive and the negatives.
    public var width: Int { negatives + 1 }

    /// The contrast sets of the anchors `anchors` (training indices) at `epoch`, batch `batch`: `[B·(K+1)]`,
    /// row-major `[B, K+1]`.
    public func draw(anchors: [Int], epoch: Int, batch: Int) -> [Int32] {
        var rng = SeededGenerator(
            seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(batch) &* 0xBF58_476D_1CE4_E5B9))
        let k = negatives, n = labels.count
        var out = [Int32](repeating: 0, count: anchors.count * (k + 1))
        var taken = [Bool](repeating: false, count: n), picked = [Int](repeating: 0, count: k)
        out.withUnsafeMutableBufferPointer { outBuffer in
            taken.withUnsafeMutableBufferPointer { takenBuffer in
                picked.withUnsafeMutableBufferPointer { pickedBuffer in
                    byClass.withUnsafeBufferPointer { grouped in
                        let (o, mark, pos, g) =
                            (outBuffer.baseAddress!, takenBuffer.baseAddress!, pickedBuffer.baseAddress!, grouped.baseAddress!)
                        for (a, anchor) in anchors.enumerated() {
                            let y = Int(labels[anchor]), row = o + a * (k + 1)
                            row[0] = positive == .exact ? Int32(anchor) : g[start[y] + rng.int(below: count[y])]
                            // Pool position p of the other classes' samples ↦ index, skipping class y's block.
                            let pool = n - count[y], (lo, skip) = (start[y], count[y])
                            if pool < k {
                                for j in 0..<k {
                                    let p = rng.int(below: pool)
                                    row[j + 1] = g[p < lo ? p : p + skip]
                                }
                                continue
                            }
                            for j in 0..<k {  // Floyd: for top in pool-k ..< pool, take t ≤ top, or top if t is taken
                                let top = pool - k + j, t = rng.int(below: top + 1)
                                let p = mark[t] ? top : t
                                mark[p] = true
                                pos[j] = p
                                row[j + 1] = g[p < lo ? p : p + skip]
                            }
                            for j in 0..<k { mark[pos[j]] = false }
                        }
                    }
                }
            }
        }
        return out
    }
}
