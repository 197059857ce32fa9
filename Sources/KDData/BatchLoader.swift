// BatchLoader: converts a dataset once to normalised floats [N, C, H, W], then assembles batches
// by whole-image or whole-row copies. Order and augmentation depend only on (seed, epoch, batch, stream).

import Foundation
import KDTensor

/// One mini-batch.
public struct Batch {
    /// Images `[B, C, H, W]`, normalised (and augmented when enabled).
    public let images: Tensor
    /// Labels, one per image; `unlabeledMark` for an image whose label the run does not keep.
    public let labels: [Int32]
    /// Indices of the images in the loader's dataset.
    public let indices: [Int]
}

/// Batches over a dataset held as normalised floats. Thread-safe for concurrent `batch` calls.
public final class BatchLoader {
    /// Number of images.
    public let count: Int
    /// Images per full batch (the last batch may be smaller).
    public let batchSize: Int
    /// Whether each epoch visits the images in a new seeded order.
    public let shuffle: Bool
    /// Augmentation applied to every batch.
    public let augmentation: Augmentation
    /// Seed that, with the epoch, fixes order and augmentation.
    public let seed: UInt64
    /// The normalisation the floats were computed with.
    public let normalization: Normalization
    /// Channels, height and width of one image.
    public let channels: Int, height: Int, width: Int
    /// Number of classes of the dataset.
    public let numClasses: Int
    /// Labels of all images in dataset order; `unlabeledMark` where the run keeps no label (`data.labeled`).
    public let labels: [Int32]
    /// Images whose label is kept (all of them unless `labeled` was given).
    public let labeledCount: Int
    /// The two-stream order of `labeled` with `perBatch` (nil: one shuffled stream of every image).
    private let streams: TwoStreams?
    /// Labelled images in every batch when they come as a stream of their own (`data.labeled.per_batch`).
    public var perBatch: Int? { streams?.perBatch }

    private let data: UnsafeMutablePointer<Float>
    private let pad: [Float]
    private let lock = NSLock()
    private var cachedOrder: (epoch: Int, order: [Int])?

    /// Converts `dataset` to normalised floats once. Throws on a bad batch size, normalisation or padding.
    /// `labeled` (ascending dataset indices) keeps only those images' labels; with `perBatch` m, every
    /// batch then holds m of them and `batchSize − m` unlabelled images (`TwoStreams`).
    public init(
        dataset: ImageDataset, normalization: Normalization, batchSize: Int, shuffle: Bool,
        augmentation: Augmentation = .none, seed: UInt64 = 0, labeled: [Int]? = nil, perBatch: Int? = nil
    ) throws {
        try normalization.validate(channels: dataset.channels)
        guard batchSize > 0 else {
            throw DataError(file: "batch_size", expected: "a positive batch size", found: "\(batchSize)")
        }
        guard augmentation.cropPadding >= 0, augmentation.cropPadding <= max(dataset.height, dataset.width) else {
            throw DataError(
                file: "augmentation.crop_padding",
                expected: "a padding in 0...\(max(dataset.height, dataset.width))",
                found: "\(augmentation.cropPadding)")
        }
        count = dataset.count
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.augmentation = augmentation
        self.seed = seed
        self.normalization = normalization
        channels = dataset.channels
        height = dataset.height
        width = dataset.width
        numClasses = dataset.numClasses
        (labels, labeledCount, streams) = try Self.labelPlan(
            dataset: dataset, labeled: labeled, perBatch: perBatch, batchSize: batchSize, seed: seed)
        let table = normalization.lookupTable()
        pad = (0..<channels).map { table[$0 * 256] }
        let size = dataset.imageSize, plane = height * width, chans = channels
        data = .allocate(capacity: max(1, count * size))
        let out = data
        dataset.pixels.withUnsafeBufferPointer { px in
            table.withUnsafeBufferPointer { lut in
                Parallel.chunks(count, minPerThread: 256) { range in
                    for n in range {
                        for c in 0..<chans {
                            let base = n * size + c * plane
                            let t = lut.baseAddress! + c * 256
                            for k in 0..<plane { out[base + k] = t[Int(px[base + k])] }
                        }
                    }
                }
            }
        }
    }

    deinit { data.deallocate() }

    /// Runs `body` on every image as the loader holds it: normalised floats `[N, C, H, W]` in dataset
    /// order (what a batch copies from, before augmentation). For content keys; do not keep the pointer.
    public func withImages<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: data, count: count * channels * height * width))
    }

    /// The labels a run keeps, how many, and the two streams of `perBatch`, or a data error.
    private static func labelPlan(
        dataset: ImageDataset, labeled: [Int]?, perBatch: Int?, batchSize: Int, seed: UInt64
    ) throws -> ([Int32], Int, TwoStreams?) {
        guard let labeled else {
            if perBatch != nil {
                throw DataError(file: "data.labeled.per_batch", expected: "data.labeled", found: "no labelled subset")
            }
            return (dataset.labels, dataset.count, nil)
        }
        var kept = [Int32](repeating: unlabeledMark, count: dataset.count)
        for i in labeled { kept[i] = dataset.labels[i] }
        guard let m = perBatch else { return (kept, labeled.count, nil) }
        guard m >= 1, m < batchSize else {
            throw DataError(
                file: "data.labeled.per_batch", expected: "labelled images per batch in 1..<\(batchSize) (batch_size)",
                found: "\(m)")
        }
        let unlabeled = (0..<dataset.count).filter { kept[$0] == unlabeledMark }
        guard !unlabeled.isEmpty, !labeled.isEmpty else {
            throw DataError(
                file: "data.labeled.per_batch", expected: "both labelled and unlabelled images",
                found: "\(labeled.count) labelled of \(dataset.count)")
        }
        return (
            kept, labeled.count, TwoStreams(labeled: labeled, unlabeled: unlabeled, perBatch: m, batchSize: batchSize, seed: seed)
        )
    }

    /// Batches per epoch (the last partial batch included; with two streams, one pass over the unlabelled images).
    public var numBatches: Int { streams?.numBatches ?? (count + batchSize - 1) / batchSize }

    /// Positions (into `order(epoch:)`) covered by each batch (one stream).
    public var batchRanges: [Range<Int>] {
        (0..<numBatches).map { b in b * batchSize..<Swift.min(count, (b + 1) * batchSize) }
    }

    /// The order images are visited in `epoch`: a seeded permutation when shuffling, else `0..<count`.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<count) }
        lock.lock()
        defer { lock.unlock() }
        if let cached = cachedOrder, cached.epoch == epoch { return cached.order }
        var rng = SeededGenerator(seed: Self.mix(seed, UInt64(bitPattern: Int64(epoch))))
        let perm = rng.permuted(Array(0..<count))
        cachedOrder = (epoch, perm)
        return perm
    }

    /// Batch `index` (in `0..<numBatches`) of `epoch`.
    public func batch(epoch: Int, index: Int) -> Batch {
        precondition(index >= 0 && index < numBatches, "batch index \(index) outside 0..<\(numBatches)")
        if let streams { return assemble(indices: streams.indices(epoch: epoch, index: index), epoch: epoch, batchIndex: index) }
        let range = index * batchSize..<Swift.min(count, (index + 1) * batchSize)
        let ord = order(epoch: epoch)
        return assemble(indices: Array(ord[range]), epoch: epoch, batchIndex: index)
    }

    /// Every batch of `epoch`, in order, assembled lazily.
    public func epoch(_ e: Int) -> AnySequence<Batch> {
        AnySequence((0..<numBatches).lazy.map { self.batch(epoch: e, index: $0) })
    }

    /// Augmentation parameters of each image of batch `index` in `epoch` (empty when augmentation is off);
    /// `stream` > 0 gives further independent draws of the same batch (mean-teacher's second view).
    public func augmentDraws(epoch: Int, index: Int, count n: Int, stream: Int = 0) -> [AugmentDraw] {
        guard augmentation.isEnabled else { return [] }
        var batchSeed = Self.mix(
            Self.mix(seed ^ 0xA5A5_5A5A_C3C3_3C3C, UInt64(bitPattern: Int64(epoch))), UInt64(index))
        if stream != 0 { batchSeed = Self.mix(batchSeed ^ 0x5EC0_4D57_1EA3_0000, UInt64(stream)) }
        var rng = SeededGenerator(seed: batchSeed)
        return (0..<n).map { _ in augmentation.draw(&rng) }
    }

    /// Builds a batch of the given dataset indices (each in `0..<count`), without augmentation.
    public func batch(indices: [Int]) -> Batch {
        assemble(indices: indices, epoch: 0, batchIndex: -1)
    }

    /// The images `indices` augmented as batch `index` of `epoch` under draw `stream` (stream 0 with the
    /// epoch's own indices is `batch(epoch:index:)`; each other stream is an independent draw).
    public func batch(indices: [Int], epoch: Int, index: Int, stream: Int) -> Batch {
        assemble(indices: indices, epoch: epoch, batchIndex: index, stream: stream)
    }

    private func assemble(indices: [Int], epoch: Int, batchIndex: Int, stream: Int = 0) -> Batch {
        let b = indices.count, size = channels * height * width
        let images = Tensor(uninitialized: [b, channels, height, width])
        let draws = batchIndex >= 0 ? augmentDraws(epoch: epoch, index: batchIndex, count: b, stream: stream) : []
        let dst = images.data, src = data
        let (c, h, w) = (channels, height, width)
        indices.withUnsafeBufferPointer { idx in
            pad.withUnsafeBufferPointer { padPtr in
                Parallel.chunks(b, minPerThread: 64) { range in
                    for k in range {
                        let i = idx[k]
                        precondition(i >= 0 && i < count, "image index \(i) outside 0..<\(count)")
                        if draws.isEmpty {
                            (dst + k * size).update(from: src + i * size, count: size)
                        } else {
                            draws[k].apply(
                                src: src + i * size, dst: dst + k * size, channels: c, height: h,
                                width: w, pad: padPtr.baseAddress!)
                        }
                    }
                }
            }
        }
        return Batch(images: images, labels: indices.map { labels[$0] }, indices: indices)
    }

    /// SplitMix64-style mixing of two words into one seed (`SeededGenerator.mix`, the one rule).
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 { SeededGenerator.mix(a, b) }
}
