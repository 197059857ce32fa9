// TeacherCache: one teacher's outputs for a whole training set, logits [N, K] and taps [N, ...] by
// dataset position, held in tensors this run computed or read in place from a mapped teacher-store file.

import KDMethods
import KDNN
import KDTensor

/// One teacher's outputs for a whole training set, gathered into batches by dataset position.
final class TeacherCache {
    /// A row-major float32 block `[N, ...]` that something else keeps alive.
    struct Rows {
        let shape: [Int]
        let base: UnsafePointer<Float>
        var perRow: Int { shape.dropFirst().reduce(1, *) }
    }

    let logits: Rows
    let taps: [String: Rows]
    /// The tensors when this run computed the outputs (nil when they are read from a mapped file).
    let computed: (logits: Tensor, taps: [String: Tensor])?
    /// What keeps the rows valid (the tensors, or a mapping and its lock); more holders may be added.
    private(set) var owners: [AnyObject]

    /// Allocates room for `count` samples shaped like `sample`'s logits and the taps named in `names`.
    init(count: Int, like sample: ModelOutput, taps names: Set<String>) {
        let logits = Tensor(uninitialized: [count] + sample.logits.shape.dropFirst())
        var taps: [String: Tensor] = [:]
        for name in names {
            guard let t = sample.taps[name] else { continue }
            taps[name] = Tensor(uninitialized: [count] + t.shape.dropFirst())
        }
        computed = (logits, taps)
        self.logits = Rows(shape: logits.shape, base: UnsafePointer(logits.data))
        self.taps = taps.mapValues { Rows(shape: $0.shape, base: UnsafePointer($0.data)) }
        owners = [logits] + taps.values.map { $0 as AnyObject }
    }

    /// Rows living in memory that `owner` keeps valid (a mapped file).
    init(logits: Rows, taps: [String: Rows], owner: AnyObject) {
        self.logits = logits
        self.taps = taps
        computed = nil
        owners = [owner]
    }

    /// Keeps `object` alive as long as this cache (a lock that marks a store entry as in use).
    func retain(_ object: AnyObject) { owners.append(object) }

    /// Bytes of the logits and taps.
    var bytes: Int { (taps.values.reduce(logits.shape.reduce(1, *)) { $0 + $1.shape.reduce(1, *) }) * MemoryLayout<Float>.size }

    /// Copies `output` (a batch of consecutive samples) in at sample `start` (only for computed caches).
    func store(_ output: ModelOutput, at start: Int) {
        guard let computed else { preconditionFailure("TeacherCache.store on a mapped cache") }
        Self.copy(output.logits, into: computed.logits, at: start)
        for (name, all) in computed.taps { Self.copy(output.taps[name]!, into: all, at: start) }
    }

    /// The cached outputs of the samples `indices`, with the taps `names`.
    func rows(_ indices: [Int], taps names: Set<String>) -> ModelOutput {
        var picked: [String: Tensor] = [:]
        for name in names { picked[name] = Self.gather(taps[name]!, indices) }
        return ModelOutput(logits: Self.gather(logits, indices), taps: picked)
    }

    private static func copy(_ batch: Tensor, into all: Tensor, at start: Int) {
        let per = all.count / all.shape[0]
        (all.data + start * per).update(from: batch.data, count: batch.count)
    }

    private static func gather(_ all: Rows, _ indices: [Int]) -> Tensor {
        let per = all.perRow
        let rows = Tensor(uninitialized: [indices.count] + all.shape.dropFirst())
        for (r, i) in indices.enumerated() { (rows.data + r * per).update(from: all.base + i * per, count: per) }
        return rows
    }
}
