// BatchLoaderTests: batch shapes and values, the last partial batch, seeded per-epoch order with
// every image exactly once, and augmentation (crop with padding, flip) against a naive reference.

import KDData
import KDTensor
import TestSupport
import XCTest

final class BatchLoaderTests: XCTestCase {
    /// `n` images of `c`x`h`x`w` with distinct pixel patterns and labels i % 3.
    private func dataset(_ n: Int, c: Int = 1, h: Int = 2, w: Int = 3) throws -> ImageDataset {
        let size = c * h * w
        return try ImageDataset(
            pixels: (0..<n * size).map { TinyDatasetFiles.pixel(image: $0 / size, byte: $0 % size) },
            labels: (0..<n).map { Int32($0 % 3) }, channels: c, height: h, width: w, numClasses: 3)
    }

    func testShapesValuesAndPartialLastBatch() throws {
        let ds = try dataset(10, c: 2)
        let norm = Normalization(mean: [0.25, 0.5], std: [0.5, 2])
        let loader = try BatchLoader(dataset: ds, normalization: norm, batchSize: 4, shuffle: false)
        XCTAssertEqual(loader.numBatches, 3)
        XCTAssertEqual(loader.batchRanges, [0..<4, 4..<8, 8..<10])
        let batches = Array(loader.epoch(0))
        XCTAssertEqual(batches.map { $0.images.shape }, [[4, 2, 2, 3], [4, 2, 2, 3], [2, 2, 2, 3]])
        XCTAssertEqual(batches[2].indices, [8, 9])
        XCTAssertEqual(batches[2].labels, [2, 0])
        let img = batches[2].images
        for k in 0..<img.count {
            let i = 8 + k / 12, byte = k % 12, c = byte / 6
            let want = (Float(TinyDatasetFiles.pixel(image: i, byte: byte)) / 255 - norm.mean[c]) / norm.std[c]
            XCTAssertEqual(img.data[k], want, accuracy: 1e-6)
        }
    }

    func testShuffleIsSeededPerEpochAndCoversEveryImageOnce() throws {
        let ds = try dataset(23)
        let make = { (seed: UInt64) in
            try BatchLoader(dataset: ds, normalization: .identity(channels: 1), batchSize: 5, shuffle: true, seed: seed)
        }
        let a = try make(42), b = try make(42), c = try make(43)
        for epoch in 0..<3 {
            let seen = a.epoch(epoch).flatMap { $0.indices }
            XCTAssertEqual(seen.sorted(), Array(0..<23), "every index exactly once")
            XCTAssertEqual(seen, b.epoch(epoch).flatMap { $0.indices }, "same seed, same order")
            XCTAssertEqual(seen, a.order(epoch: epoch))
        }
        XCTAssertNotEqual(a.order(epoch: 0), a.order(epoch: 1))
        XCTAssertNotEqual(a.order(epoch: 0), c.order(epoch: 0))
        // Random access gives the same batch as iteration, in any call order.
        let third = a.batch(epoch: 1, index: 2)
        _ = a.batch(epoch: 0, index: 0)
        XCTAssertEqual(a.batch(epoch: 1, index: 2).images.scalars, third.images.scalars)
        XCTAssertEqual(third.labels, third.indices.map { Int32($0 % 3) })
    }

    func testAugmentDrawMatchesNaiveCropAndFlip() throws {
        let (c, h, w) = (2, 3, 5)
        let src = (0..<c * h * w).map { Float($0 + 1) }
        let pad: [Float] = [-7, -9]
        for dy in -2...2 {
            for dx in -2...2 {
                for flip in [false, true] {
                    let draw = AugmentDraw(dy: dy, dx: dx, flip: flip)
                    var out = [Float](repeating: .nan, count: src.count)
                    out.withUnsafeMutableBufferPointer { o in
                        draw.apply(src: src, dst: o.baseAddress!, channels: c, height: h, width: w, pad: pad)
                    }
                    for ch in 0..<c {
                        for y in 0..<h {
                            for x in 0..<w {
                                let xs = (flip ? w - 1 - x : x) + dx, ys = y + dy
                                let want = ys >= 0 && ys < h && xs >= 0 && xs < w ? src[ch * h * w + ys * w + xs] : pad[ch]
                                XCTAssertEqual(
                                    out[ch * h * w + y * w + x], want, "dy \(dy) dx \(dx) flip \(flip) at \(ch),\(y),\(x)")
                            }
                        }
                    }
                }
            }
        }
    }

    func testLoaderAugmentationIsSeededAndUsesNormalisedPadding() throws {
        let ds = try dataset(16, c: 1, h: 4, w: 4)
        let norm = Normalization(mean: [0.5], std: [0.25])
        let aug = Augmentation(cropPadding: 2, horizontalFlip: true)
        let loader = try BatchLoader(dataset: ds, normalization: norm, batchSize: 16, shuffle: true, augmentation: aug, seed: 9)
        let plain = try BatchLoader(dataset: ds, normalization: norm, batchSize: 16, shuffle: false)
        let batch = loader.batch(epoch: 3, index: 0)
        let draws = loader.augmentDraws(epoch: 3, index: 0, count: 16)
        XCTAssertEqual(draws.count, 16)
        let reference = plain.batch(indices: batch.indices).images
        let pad: [Float] = [(0 - 0.5) / 0.25]
        for k in 0..<16 {
            var want = [Float](repeating: 0, count: 16)
            want.withUnsafeMutableBufferPointer { o in
                draws[k].apply(src: reference.data + k * 16, dst: o.baseAddress!, channels: 1, height: 4, width: 4, pad: pad)
            }
            XCTAssertEqual(Array(batch.images.scalars[k * 16..<(k + 1) * 16]), want)
        }
        XCTAssertEqual(
            try BatchLoader(
                dataset: ds, normalization: norm, batchSize: 16, shuffle: true, augmentation: aug,
                seed: 9
            ).batch(epoch: 3, index: 0).images.scalars, batch.images.scalars)
        XCTAssertNotEqual(loader.augmentDraws(epoch: 4, index: 0, count: 16), draws)
        // Over many draws every shift in -2...2 appears and roughly half are flipped.
        let many = (0..<50).flatMap { loader.augmentDraws(epoch: $0, index: 0, count: 16) }
        XCTAssertEqual(Set(many.map(\.dx)), Set(-2...2))
        XCTAssertEqual(Set(many.map(\.dy)), Set(-2...2))
        let flips = many.filter(\.flip).count
        XCTAssertTrue(flips > 300 && flips < 500, "\(flips) flips of 800")
        XCTAssertTrue(plain.augmentDraws(epoch: 0, index: 0, count: 4).isEmpty)
    }

    /// A second view (mean-teacher's): the same images under an independent draw; stream 0 is the batch itself.
    func testFurtherStreamsRedrawTheSameImages() throws {
        let ds = try dataset(16, c: 1, h: 4, w: 4)
        let aug = Augmentation(cropPadding: 2, horizontalFlip: true)
        let loader = try BatchLoader(
            dataset: ds, normalization: .identity(channels: 1), batchSize: 8, shuffle: true, augmentation: aug, seed: 9)
        let batch = loader.batch(epoch: 2, index: 1)
        let same = loader.batch(indices: batch.indices, epoch: 2, index: 1, stream: 0)
        XCTAssertEqual(same.images.scalars, batch.images.scalars, "stream 0 is the student's batch")
        let second = loader.batch(indices: batch.indices, epoch: 2, index: 1, stream: 1)
        XCTAssertEqual(second.indices, batch.indices)
        XCTAssertNotEqual(second.images.scalars, batch.images.scalars, "stream 1 draws again")
        XCTAssertEqual(
            loader.batch(indices: batch.indices, epoch: 2, index: 1, stream: 1).images.scalars, second.images.scalars,
            "a stream's draw repeats (resume)")
        let draws = (0...2).map { loader.augmentDraws(epoch: 2, index: 1, count: 8, stream: $0) }
        XCTAssertEqual(Set(draws.map { $0.map(\.dx) }).count, 3, "three streams, three draws")
    }
}
