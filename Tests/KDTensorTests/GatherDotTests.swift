// GatherDotTests: the fused gather-dot kernel against its naive twin (gather the rows with indexSelect,
// multiply, sum), forward and gradient, on a case large enough to split over both cores.

import KDTensor
import TestSupport
import XCTest

final class GatherDotTests: XCTestCase {
    func testMatchesGatheredRowsTimesVector() {
        let (b, d, n, k) = (7, 16, 300, 1500)
        let bank = randomTensor([n, d], seed: 2)
        var rng = SeededGenerator(seed: 9)
        let indices = (0..<(b * k)).map { _ in Int32(rng.int(below: n)) }
        let v1 = randomTensor([b, d], seed: 4), v2 = v1.copy()
        (v1.requiresGrad, v2.requiresGrad) = (true, true)
        let weights = randomTensor([b, k], seed: 6)

        let fused = gatherDot(v1, bank: bank, indices: indices, perRow: k)
        (fused * weights).sum().backward()

        let rows = bank.indexSelect(axis: 0, indices.map(Int.init)).reshaped([b, k, d])
        let naive = (rows * v2.reshaped([b, 1, d])).sum(axes: [2])
        (naive * weights).sum().backward()

        XCTAssertEqual(fused.shape, [b, k])
        for i in 0..<fused.count { XCTAssertEqual(fused.data[i], naive.data[i], accuracy: 1e-4) }
        for i in 0..<v1.count { XCTAssertEqual(v1.grad!.data[i], v2.grad!.data[i], accuracy: 1e-3) }
    }
}
