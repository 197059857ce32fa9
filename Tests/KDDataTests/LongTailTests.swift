// LongTailTests: `data.imbalance`'s subset (beyond.md 3.4): Cui et al.'s profile as LDAM-DRW computes
// it (Fashion-MNIST's numbers), the class order putting chosen classes in the tail, the seeded choice
// and the errors.

import KDData
import TestSupport
import XCTest

final class LongTailTests: XCTestCase {
    private func dataset(_ perClass: [Int]) throws -> ImageDataset { try ClassCountFixtures.dataset(perClass) }
    private func counts(_ ds: ImageDataset, _ indices: [Int]) -> [Int] { ClassCountFixtures.counts(ds, indices) }

    func testFashionMNISTProfile() {
        // 60,000 training images less a 5,000 validation hold-out: 5,500 per class; ratio 100 (beyond.md 3.4).
        XCTAssertEqual(
            ImageDataset.longTailProfile(nMax: 5500, ratio: 100, classes: 10),
            [5500, 3297, 1976, 1184, 710, 425, 255, 153, 91, 55])
        XCTAssertEqual(ImageDataset.longTailProfile(nMax: 5500, ratio: 1, classes: 10), Array(repeating: 5500, count: 10))
        XCTAssertEqual(ImageDataset.longTailProfile(nMax: 100, ratio: 10, classes: 3), [100, 31, 10])
        XCTAssertEqual(ImageDataset.longTailProfile(nMax: 7, ratio: 5, classes: 1), [7])
    }

    func testProfileOnTheSmallestClassInLabelOrder() throws {
        let ds = try dataset([120, 100, 130, 110])
        let chosen = try ds.longTailIndices(ratio: 8, order: [0, 1, 2, 3], seed: 1)
        XCTAssertEqual(counts(ds, chosen), [100, 50, 25, 12], "n_max is the smallest class (100); 100 · 8^(−i/3)")
        XCTAssertEqual(chosen, chosen.sorted())
        XCTAssertEqual(Set(chosen).count, chosen.count)
    }

    func testOrderPutsTheChosenClassesInTheTail() throws {
        let ds = try dataset([40, 40, 40, 40, 40])
        let chosen = try ds.longTailIndices(ratio: 16, order: [4, 2, 0, 3, 1], seed: 2)
        XCTAssertEqual(counts(ds, chosen), [10, 2, 20, 5, 40], "class 1 last, class 4 at the head")
    }

    func testSeededChoice() throws {
        let ds = try dataset([60, 60, 60])
        let order = [0, 1, 2]
        let a = try ds.longTailIndices(ratio: 4, order: order, seed: 7)
        XCTAssertEqual(a, try ds.longTailIndices(ratio: 4, order: order, seed: 7))
        XCTAssertNotEqual(a, try ds.longTailIndices(ratio: 4, order: order, seed: 8))
        XCTAssertEqual(counts(ds, try ds.longTailIndices(ratio: 4, order: order, seed: 8)), counts(ds, a))
    }

    func testErrors() throws {
        let ds = try dataset([5, 5, 5])
        XCTAssertThrowsError(try ds.longTailIndices(ratio: 10, order: [0, 1, 2], seed: 0)) { error in
            XCTAssertTrue("\(error)".contains("class 2"), "floor(5 / 10) = 0 images of the tail class: \(error)")
        }
        XCTAssertThrowsError(try ds.longTailIndices(ratio: 0.5, order: [0, 1, 2], seed: 0))
        XCTAssertThrowsError(try ds.longTailIndices(ratio: 2, order: [0, 1, 1], seed: 0))
        XCTAssertThrowsError(try ds.longTailIndices(ratio: 2, order: [0, 1], seed: 0))
    }
}
