// MaskedCrossEntropyTests: cross-entropy never sees an unlabelled sample (`data.labeled`): a hidden
// label adds nothing to the loss, its row gets an exactly zero gradient, and the divisor is the caller's.

import KDTensor
import TestSupport
import XCTest

final class MaskedCrossEntropyTests: XCTestCase {
    func testHiddenLabelsAddNothingAndGetNoGradient() {
        let logits = randomTensor([4, 6], seed: 3)
        logits.requiresGrad = true
        let masked = crossEntropy(logits, labels: [2, -1, 5, -1], divisor: 4)
        masked.backward()

        let labelled = logits.detached().indexSelect(axis: 0, [0, 2])
        let reference = crossEntropy(labelled, labels: [2, 5])  // mean over the 2 labelled rows
        XCTAssertEqual(masked.item, reference.item * 2 / 4, accuracy: 1e-6, "sum over labelled rows / B")
        for row in [1, 3] {
            for j in 0..<6 { XCTAssertEqual(logits.grad!.data[row * 6 + j], 0, "hidden row \(row) gets no gradient") }
        }
        XCTAssertNotEqual(logits.grad!.data[0], 0)
    }

    func testChangingAHiddenSamplesLogitsChangesNothing() {
        let a = randomTensor([3, 4], seed: 5), b = a.copy()
        for j in 0..<4 { b.data[4 + j] += 10 * Float(j + 1) }  // row 1 is unlabelled
        XCTAssertEqual(crossEntropy(a, labels: [0, -1, 3]).item, crossEntropy(b, labels: [0, -1, 3]).item)
    }
}
