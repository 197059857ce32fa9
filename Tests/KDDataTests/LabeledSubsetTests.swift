// LabeledSubsetTests: `data.labeled`'s choice of labelled images (class-balanced, seeded, the quota
// rule, errors naming the short class) and the batch loader that hides the others' labels, alone or as
// two streams of m labelled and B − m unlabelled images per batch.

import KDData
import TestSupport
import XCTest

final class LabeledSubsetTests: XCTestCase {
    private func dataset(_ perClass: [Int]) throws -> ImageDataset { try ClassCountFixtures.dataset(perClass) }
    private func counts(_ ds: ImageDataset, _ indices: [Int]) -> [Int] { ClassCountFixtures.counts(ds, indices) }

    func testBalancedNotProportionalWithTheRemainderToTheFirstClasses() throws {
        let ds = try dataset([50, 10, 30, 20])  // proportional would give class 0 far more
        let chosen = try ds.balancedLabeledIndices(.count(14), seed: 1)
        XCTAssertEqual(counts(ds, chosen), [4, 4, 3, 3], "floor(14/4) = 3 each, one more for the first 14 mod 4 = 2 classes")
        XCTAssertEqual(chosen, chosen.sorted())
        XCTAssertEqual(Set(chosen).count, 14)
        XCTAssertEqual(counts(ds, try ds.balancedLabeledIndices(.perClass(5), seed: 1)), [5, 5, 5, 5])
        XCTAssertEqual(try ds.balancedLabeledIndices(.fraction(0.1), seed: 1).count, 11, "10% of 110, rounded")
    }

    func testSeededChoice() throws {
        let ds = try dataset([40, 40, 40])
        let a = try ds.balancedLabeledIndices(.count(12), seed: 7)
        XCTAssertEqual(a, try ds.balancedLabeledIndices(.count(12), seed: 7))
        XCTAssertNotEqual(a, try ds.balancedLabeledIndices(.count(12), seed: 8))
    }

    func testImpossibleChoicesAreErrorsNamingTheClass() throws {
        let ds = try dataset([50, 3, 50])
        XCTAssertThrowsError(try ds.balancedLabeledIndices(.perClass(4), seed: 0)) { error in
            XCTAssertTrue("\(error)".contains("class 1"), "\(error)")
        }
        XCTAssertThrowsError(try ds.balancedLabeledIndices(.count(0), seed: 0))
        XCTAssertThrowsError(try ds.balancedLabeledIndices(.count(104), seed: 0))
        XCTAssertThrowsError(try ds.balancedLabeledIndices(.fraction(0.001), seed: 0), "rounds to no image")
    }

    func testLoaderHidesTheLabelsItDoesNotKeep() throws {
        let ds = try dataset([10, 10])
        let kept = try ds.balancedLabeledIndices(.count(4), seed: 3)
        let loader = try BatchLoader(
            dataset: ds, normalization: .identity(channels: 1), batchSize: 5, shuffle: true, seed: 1, labeled: kept)
        XCTAssertEqual(loader.labeledCount, 4)
        var visible = 0
        for batch in loader.epoch(0) {
            for (i, y) in zip(batch.indices, batch.labels) {
                if kept.contains(i) {
                    XCTAssertEqual(y, ds.labels[i])
                    visible += 1
                } else {
                    XCTAssertEqual(y, unlabeledMark)
                }
            }
        }
        XCTAssertEqual(visible, 4)
    }

    func testTwoStreamsHoldMLabelledPerBatchAndPassOverTheUnlabelledOnce() throws {
        let ds = try dataset([25, 25])
        let kept = try ds.balancedLabeledIndices(.count(6), seed: 2)
        let make = {
            try BatchLoader(
                dataset: ds, normalization: .identity(channels: 1), batchSize: 8, shuffle: true, seed: 4, labeled: kept,
                perBatch: 3)
        }
        let loader = try make()
        XCTAssertEqual(loader.numBatches, 9, "44 unlabelled images, 5 per batch")
        var labelledDraws: [Int] = []
        for epoch in 0..<2 {
            var unlabelled: [Int] = []
            for batch in loader.epoch(epoch) {
                XCTAssertEqual(batch.labels.prefix(3).filter { $0 >= 0 }.count, 3)
                XCTAssertTrue(batch.labels.dropFirst(3).allSatisfy { $0 == unlabeledMark })
                labelledDraws += batch.indices.prefix(3)
                unlabelled += batch.indices.dropFirst(3)
            }
            XCTAssertEqual(
                unlabelled.sorted(), (0..<50).filter { !kept.contains($0) }, "epoch \(epoch): each unlabelled image once")
        }
        // 2 epochs x 9 batches x 3 = 54 draws = 9 passes over the 6 labelled images, each a permutation.
        for pass in 0..<9 { XCTAssertEqual(labelledDraws[pass * 6..<pass * 6 + 6].sorted(), kept, "pass \(pass)") }
        XCTAssertNotEqual(Array(labelledDraws[0..<6]), Array(labelledDraws[6..<12]), "reshuffled when it runs out")
        let again = try make()
        XCTAssertEqual(
            again.batch(epoch: 1, index: 4).indices, loader.batch(epoch: 1, index: 4).indices,
            "a function of (seed, epoch, batch)")
    }

    func testTwoStreamErrors() throws {
        let ds = try dataset([5, 5])
        let identity = Normalization.identity(channels: 1)
        XCTAssertThrowsError(
            try BatchLoader(dataset: ds, normalization: identity, batchSize: 4, shuffle: true, labeled: [0, 1], perBatch: 4))
        XCTAssertThrowsError(try BatchLoader(dataset: ds, normalization: identity, batchSize: 4, shuffle: true, perBatch: 2))
        XCTAssertThrowsError(
            try BatchLoader(
                dataset: ds, normalization: identity, batchSize: 4, shuffle: true, labeled: Array(0..<10), perBatch: 2),
            "no unlabelled image")
    }

    func testSubsetsRememberPublishedPositions() throws {
        let ds = try dataset([10, 10])
        let part = ds.subset(indices: [19, 3, 7]).subset(indices: [2, 0])
        XCTAssertEqual([part.origin(of: 0), part.origin(of: 1)], [7, 19])
        XCTAssertEqual(ds.origin(of: 5), 5)
    }
}
