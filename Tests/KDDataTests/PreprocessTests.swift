// PreprocessTests: normalisation statistics, and the seeded, stratified validation split and limit.

import KDData
import TestSupport
import XCTest

final class PreprocessTests: XCTestCase {
    /// `n` single-pixel images with labels cycling over `classes`.
    private func labelled(_ n: Int, classes: Int) throws -> ImageDataset {
        try ImageDataset(
            pixels: (0..<n).map { UInt8($0 % 256) }, labels: (0..<n).map { Int32($0 % classes) },
            channels: 1, height: 1, width: 1, numClasses: classes)
    }

    func testNormalizationFitPerChannel() throws {
        // Two 2-channel 1x2 images: channel 0 holds {0, 255, 0, 255}, channel 1 holds 51 everywhere.
        let ds = try ImageDataset(
            pixels: [0, 255, 51, 51, 255, 0, 51, 51], labels: [0, 1], channels: 2, height: 1,
            width: 2, numClasses: 2)
        let n = Normalization.fit(ds)
        XCTAssertEqual(n.mean[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(n.std[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(n.mean[1], 0.2, accuracy: 1e-6)
        XCTAssertEqual(n.std[1], 1, "a constant channel keeps std 1")
        let json = try JSONEncoder().encode(n)
        XCTAssertEqual(try JSONDecoder().decode(Normalization.self, from: json), n)
    }

    func testNormalizationMatchesDirectComputation() throws {
        let ds = try labelled(300, classes: 3)
        let values = ds.pixels.map { Double($0) / 255 }
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        let n = Normalization.fit(ds)
        XCTAssertEqual(Double(n.mean[0]), mean, accuracy: 1e-6)
        XCTAssertEqual(Double(n.std[0]), std, accuracy: 1e-6)
    }

    func testValidationSplitIsSeededDisjointAndStratified() throws {
        let ds = try labelled(100, classes: 4)
        let (train, val) = try ds.splitValidation(count: 20, seed: 11)
        XCTAssertEqual(train.count, 80)
        XCTAssertEqual(val.count, 20)
        XCTAssertEqual(val.classCounts, [5, 5, 5, 5])
        // Pixels here equal the original index, so they identify images.
        let trainIDs = Set(train.pixels), valIDs = Set(val.pixels)
        XCTAssertTrue(trainIDs.isDisjoint(with: valIDs))
        XCTAssertEqual(trainIDs.union(valIDs), Set((0..<100).map { UInt8($0) }))
        let again = try ds.splitValidation(count: 20, seed: 11)
        XCTAssertEqual(again.validation.pixels, val.pixels)
        XCTAssertEqual(again.train.pixels, train.pixels)
        XCTAssertNotEqual(try ds.splitValidation(count: 20, seed: 12).validation.pixels, val.pixels)
    }

    func testLimitIsSeededStratifiedAndExact() throws {
        let ds = try ImageDataset(
            pixels: (0..<90).map { UInt8($0) },
            labels: (0..<90).map { Int32($0 < 60 ? 0 : ($0 < 80 ? 1 : 2)) },
            channels: 1, height: 1, width: 1, numClasses: 3)
        let small = try ds.limited(to: 10, seed: 5)
        XCTAssertEqual(small.count, 10)
        XCTAssertEqual(small.classCounts.reduce(0, +), 10)
        XCTAssertEqual(small.classCounts, [7, 2, 1])  // 6.67, 2.22, 1.11 by largest remainder
        XCTAssertEqual(try ds.limited(to: 10, seed: 5).pixels, small.pixels)
        XCTAssertEqual(small.pixels, small.pixels.sorted(), "kept in dataset order")
        XCTAssertEqual(try ds.limited(to: 1000, seed: 5).count, 90)
        for n in 1...12 { XCTAssertEqual(ds.stratifiedIndices(n, seed: 3).count, n) }
    }
}
