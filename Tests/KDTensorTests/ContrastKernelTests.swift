// ContrastKernelTests: CRD's kernels against naive twins, forward and gradient, on cases large enough to
// split over both cores: gatherDot against gathered rows (indexSelect) times the anchor, and the fused
// contrastiveNCE against the same loss composed of gatherDot and elementwise ops.

import Foundation
import KDTensor
import TestSupport
import XCTest

final class ContrastKernelTests: XCTestCase {
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

    func testContrastiveNCEMatchesTheComposedLoss() {
        let (b, d, n, width, tau, z, eps) = (6, 16, 400, 900, Float(0.07), Float(2500), Float(1e-7))
        let bank = randomTensor([n, d], seed: 3).l2Normalized(axis: 1)
        var rng = SeededGenerator(seed: 5)
        let indices = (0..<(b * width)).map { _ in Int32(rng.int(below: n)) }
        let v1 = randomTensor([b, d], seed: 8).l2Normalized(axis: 1), v2 = v1.copy()
        (v1.requiresGrad, v2.requiresGrad) = (true, true)

        let fused = contrastiveNCE(v1, bank: bank, indices: indices, perRow: width, temperature: tau, normalizer: z)
        (fused * 3).backward()

        let p = (gatherDot(v2, bank: bank, indices: indices, perRow: width) * (1 / tau)).exp() * (1 / z)
        let (positive, noise) = (p.slice(axis: 1, 0..<1), p.slice(axis: 1, 1..<width))
        let c = Float(width - 1) / Float(n)
        let logNoise = Float(b * (width - 1)) * Float(Foundation.log(Double(c)))
        let composed =
            ((positive.log() - (positive + (c + eps)).log()).sum() - (noise + (c + eps)).log().sum() + logNoise) * (-1 / Float(b))
        (composed * 3).backward()

        XCTAssertEqual(fused.item, composed.item, accuracy: Swift.abs(composed.item) * 1e-4, "the composed sum runs in float32")
        assertClose(v1.grad!.scalars, v2.grad!.scalars, atol: 1e-5, rtol: 1e-3, "gradient with respect to the anchors")
    }

    /// A first crd step that already diverged gives a NaN normaliser: the loss must come out NaN (for the
    /// runner's divergence check to report), not trap.
    func testNaNNormalizerGivesNaNLoss() {
        let bank = randomTensor([20, 4], seed: 3).l2Normalized(axis: 1)
        let v = randomTensor([2, 4], seed: 8).l2Normalized(axis: 1)
        let indices: [Int32] = [0, 1, 2, 3, 4, 5]
        let loss = contrastiveNCE(v, bank: bank, indices: indices, perRow: 3, temperature: 0.07, normalizer: .nan)
        XCTAssertTrue(loss.item.isNaN)
    }
}
