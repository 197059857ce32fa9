// GradCheckCriterionTests: the gradient check itself. A gradient wrong by a few percent is caught at
// every scale (the old rule passed any error under 2e-2 below |g| = 1), and right ones pass.

import KDTensor
import TestSupport
import XCTest

final class GradCheckCriterionTests: XCTestCase {
    /// s·x⊙x with its second factor detached: the tape says s·x, the true derivative is 2s·x.
    func testAGradientOffByAFactorIsCaughtAtEveryScale() {
        for s: Float in [1e-4, 1e-2, 1] {
            let result = checkGradients([randomTensor([3, 4], seed: 1)]) { $0[0] * $0[0].detached() * s }
            XCTAssertFalse(result.failures.isEmpty, "scale \(s): a gradient of half its true size passed")
        }
    }

    /// s·(x + 0.05·x⊙stop(x)): the tape misses 5% of 0.1·x, an error of a few percent of a gradient of
    /// size s; caught at s = 1e-2 (AT and hint gradients are this small) as at s = 1.
    func testAFewPercentErrorInASmallGradientIsCaught() {
        for s: Float in [1e-2, 1] {
            let x = randomTensor([3, 4], seed: 2)
            let result = checkGradients([x]) { ($0[0] + $0[0] * $0[0].detached() * 0.05) * s }
            XCTAssertFalse(result.failures.isEmpty, "scale \(s): a 5% error passed")
            XCTAssertLessThan(result.noiseFloor, 1e-3 * Double(s), "the rounding floor stays far below the gradient")
        }
    }

    func testCorrectGradientsPassAtEveryScale() {
        for s: Float in [1e-4, 1e-2, 1, 100] {
            let result = checkGradients([randomTensor([3, 4], seed: 3)]) { ($0[0] * $0[0]).tanh() * s }
            XCTAssertEqual(result.failures, [], "scale \(s)")
            XCTAssertEqual(result.ops, [.mul, .tanh])
            XCTAssertEqual(result.probes.count, 12)
        }
    }
}
