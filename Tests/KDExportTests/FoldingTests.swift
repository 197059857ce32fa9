// FoldingTests: the folding arithmetic on single layers against KDTensor's own conv and batch norm: a
// BN folded into a conv, the normalisation folded into a padded conv (exact only with the border map,
// which is zero inside the image), and into a linear layer after flattening.

import KDExport
import KDNN
import KDTensor
import TestSupport
import XCTest

final class FoldingTests: XCTestCase {
    func testBatchNormFoldedIntoAConv() {
        let x = randomTensor([2, 3, 7, 7], seed: 1)
        let w = randomTensor([4, 3, 3, 3], seed: 2), b = randomTensor([4], seed: 3)
        var rng = SeededGenerator(seed: 4)
        let stats = (0..<4).map { _ in [0.5 + rng.uniform(), 0.3 * rng.normal(), 0.2 * rng.normal(), 0.5 + rng.uniform()] }
        let bn = BatchNormState(
            weight: Tensor(shape: [4], scalars: stats.map { $0[0] }), bias: Tensor(shape: [4], scalars: stats.map { $0[1] }),
            runningMean: Tensor(shape: [4], scalars: stats.map { $0[2] }),
            runningVar: Tensor(shape: [4], scalars: stats.map { $0[3] }))
        let expected = noGrad { batchNorm(conv2d(x, weight: w, bias: b, stride: 2, padding: 1), bn, training: false, eps: 1e-5) }
        let (fw, fb) = Folding.batchNorm(
            weight: w.scalars, bias: b.scalars, gamma: bn.weight.scalars, beta: bn.bias.scalars, mean: bn.runningMean.scalars,
            variance: bn.runningVar.scalars, eps: 1e-5)
        let folded = conv2d(
            x, weight: Tensor(shape: [4, 3, 3, 3], scalars: fw), bias: Tensor(shape: [4], scalars: fb), stride: 2, padding: 1)
        XCTAssertLessThan(relativeDifference(folded, expected), 1e-5)
    }

    func testNormalizationFoldedIntoAPaddedConvNeedsTheBorderMap() throws {
        let norm = CheckpointMetadata.Normalization(mean: [0.3, 0.5], std: [0.25, 0.4])
        let pixels = randomPixels(2, [2, 6, 5])
        let w = randomTensor([3, 2, 3, 3], seed: 2), b = randomTensor([3], seed: 3)
        let expected = conv2d(normalized(pixels, norm), weight: w, bias: b, stride: 1, padding: 1)
        let (fw, fb) = Folding.normalization(weight: w.scalars, bias: b.scalars, mean: norm.mean, std: norm.std, plane: 9)
        let plain = conv2d(
            pixels, weight: Tensor(shape: [3, 2, 3, 3], scalars: fw), bias: Tensor(shape: [3], scalars: fb), padding: 1)
        let border = try XCTUnwrap(
            Folding.borderCorrection(
                weight: w.scalars, shape: [3, 2, 3, 3], mean: norm.mean, std: norm.std, height: 6, width: 5, stride: 1, padding: 1
            ))
        let map = Tensor(shape: [1, 3, 6, 5], scalars: border)
        XCTAssertLessThan(relativeDifference(plain + map, expected), 1e-5)
        XCTAssertGreaterThan(relativeDifference(plain, expected), 1e-3, "without the map the border is wrong")
        // Inside the image (rows 1…4, columns 1…3) every tap is real: the map is zero there.
        for o in 0..<3 { for y in 1...4 { for x in 1...3 { XCTAssertEqual(border[(o * 6 + y) * 5 + x], 0) } } }
        XCTAssertNil(
            Folding.borderCorrection(
                weight: w.scalars, shape: [3, 2, 3, 3], mean: norm.mean, std: norm.std, height: 6, width: 5, stride: 1, padding: 0
            ))
        XCTAssertNil(
            Folding.borderCorrection(
                weight: w.scalars, shape: [3, 2, 3, 3], mean: [0, 0], std: norm.std, height: 6, width: 5, stride: 1, padding: 1))
    }

    func testNormalizationFoldedIntoALinearLayerAfterFlattening() {
        let norm = CheckpointMetadata.Normalization(mean: [0.3, 0.5], std: [0.25, 0.4])
        let pixels = randomPixels(3, [2, 2, 3])
        let w = randomTensor([4, 12], seed: 2), b = randomTensor([4], seed: 3)
        let expected = linear(normalized(pixels, norm).flattened(), weight: w, bias: b)
        let (fw, fb) = Folding.normalization(weight: w.scalars, bias: b.scalars, mean: norm.mean, std: norm.std, plane: 6)
        let folded = linear(
            pixels.flattened(), weight: Tensor(shape: [4, 12], scalars: fw), bias: Tensor(shape: [4], scalars: fb))
        XCTAssertLessThan(relativeDifference(folded, expected), 1e-5)
    }
}
