// TwoStreams: the batch order of `data.labeled.per_batch` (Mean Teacher's TwoStreamBatchSampler):
// every batch holds m labelled and B − m unlabelled images; an epoch is one pass over the unlabelled
// images, and the labelled ones are reshuffled each time they run out.

import Foundation
import KDTensor

/// Labelled and unlabelled images drawn as two streams. Every draw depends only on (seed, epoch, batch),
/// so a resumed run sees the same batches without saving the streams' positions. Thread-safe.
final class TwoStreams {
    /// Dataset indices of the labelled and the unlabelled images, ascending.
    let labeled: [Int], unlabeled: [Int]
    /// Labelled images per batch (m) and unlabelled images per full batch (B − m).
    let perBatch: Int, unlabeledPerBatch: Int
    let seed: UInt64
    private let lock = NSLock()
    /// The last permutation drawn of each stream, by epoch (unlabelled) or pass (labelled).
    private var cached: (unlabeled: (epoch: Int, order: [Int])?, labeled: (pass: Int, order: [Int])?)

    init(labeled: [Int], unlabeled: [Int], perBatch: Int, batchSize: Int, seed: UInt64) {
        (self.labeled, self.unlabeled, self.perBatch, self.seed) = (labeled, unlabeled, perBatch, seed)
        unlabeledPerBatch = batchSize - perBatch
    }

    /// Batches per epoch: one pass over the unlabelled images.
    var numBatches: Int { (unlabeled.count + unlabeledPerBatch - 1) / unlabeledPerBatch }

    /// Dataset indices of batch `index` of `epoch`: its m labelled images, then its unlabelled ones.
    func indices(epoch: Int, index: Int) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        if cached.unlabeled?.epoch != epoch {
            cached.unlabeled = (
                epoch, permutation(unlabeled, seed: BatchLoader.mix(seed ^ 0x5EED_0F_0AB5, UInt64(bitPattern: Int64(epoch))))
            )
        }
        let u = cached.unlabeled!.order
        let from = index * unlabeledPerBatch
        var out: [Int] = []
        out.reserveCapacity(perBatch + unlabeledPerBatch)
        // The labelled stream is an endless chain of permutations, pass p seeded by p: batch `index` of
        // `epoch` reads its m positions from where the previous batches of every epoch left off.
        let start = (epoch * numBatches + index) * perBatch
        for position in start..<start + perBatch {
            let pass = position / labeled.count
            if cached.labeled?.pass != pass {
                cached.labeled = (pass, permutation(labeled, seed: BatchLoader.mix(seed ^ 0x1AB_E1ED, UInt64(pass))))
            }
            out.append(cached.labeled!.order[position % labeled.count])
        }
        out.append(contentsOf: u[from..<Swift.min(u.count, from + unlabeledPerBatch)])
        return out
    }

    /// `items` in a seeded random order (Fisher-Yates).
    private func permutation(_ items: [Int], seed: UInt64) -> [Int] {
        var rng = SeededGenerator(seed: seed)
        return rng.permuted(items)
    }
}
