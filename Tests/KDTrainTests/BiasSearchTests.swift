// BiasSearchTests: choosing the shared δ of bias correction on synthetic logits: a grid case whose
// optimum is known by construction, the tie rule (smallest |δ|, then negative), prior-mode bisection
// reaching the target mass, and the label-free mass itself.

import KDTrain
import XCTest

final class BiasSearchTests: XCTestCase {
    /// Three classes; class 2 was never seen, so its logit is 3 too low. Images of class 2 have logits
    /// (0, 0, −3 + m) with margins m; others are confidently right (their own logit 5, the rest 0 and −3).
    func hintonLikeLogits(margins: [Float]) -> (ShiftedLogits, [Int32]) {
        var values: [Float] = [], labels: [Int32] = []
        for m in margins {
            values += [0, 0, -3 + m]
            labels.append(2)
        }
        for c in 0..<2 {
            for _ in 0..<10 {
                values += c == 0 ? [5, 0, -3] : [0, 5, -3]
                labels.append(Int32(c))
            }
        }
        return (ShiftedLogits(values, classes: 3, listed: [2]), labels)
    }

    func testGridFindsTheKnownOptimum() {
        // Class-2 images need δ > 3 − m to be right: margins 0.5, 1, 1.5 need δ > 2.5, 2, 1.5; the other
        // 20 images stay right while δ < 8 (their winning logit 5 beats −3 + δ). All 23 are right from
        // δ = 2.55 on; the smallest such grid point is the answer.
        let (logits, labels) = hintonLikeLogits(margins: [0.5, 1, 1.5])
        XCTAssertEqual(logits.correct(labels, delta: 0), 20)
        let best = BiasSearch.grid(logits, labels: labels)
        XCTAssertEqual(best.correct, 23)
        XCTAssertEqual(best.delta, 2.55, accuracy: 1e-5)
        // Past δ = 8 the others start losing to class 2.
        XCTAssertEqual(logits.correct(labels, delta: 8.05), 3)
    }

    func testGridTiesGoToTheSmallestMagnitudeThenTheNegative() {
        // Already perfect: every δ in (−5, 5) ties; δ = 0 wins.
        let perfect = ShiftedLogits([5, 0, 0, 5], classes: 2, listed: [0])
        XCTAssertEqual(BiasSearch.grid(perfect, labels: [0, 1]).delta, 0)
        // Two images with logits (0.02, 0) and (0, 0.02), δ on class 0. Labels (0, 1): δ = 0 gets both, any
        // |δ| ≥ 0.05 loses one.
        let both = ShiftedLogits([0.02, 0, 0, 0.02], classes: 2, listed: [0])
        XCTAssertEqual(BiasSearch.grid(both, labels: [0, 1]).delta, 0)
        // Labels (1, 0): δ = 0 gets none; every δ ≤ −0.05 gets the first, every δ ≥ 0.05 the second: a
        // tie of one correct image over the whole grid but 0, won by −0.05.
        let flipped = BiasSearch.grid(both, labels: [1, 0])
        XCTAssertEqual(flipped.correct, 1)
        XCTAssertEqual(flipped.delta, -0.05, accuracy: 1e-6)
    }

    func testPriorReachesTheTargetMass() throws {
        let (logits, _) = hintonLikeLogits(margins: [0.5, 1, 1.5, 0, 2])
        let before = logits.meanMass(delta: 0)
        for target in [1.0 / 3, 0.1, 0.9, 1e-4] {
            let delta = try XCTUnwrap(BiasSearch.prior(logits, target: target), "target \(target)")
            XCTAssertEqual(logits.meanMass(delta: delta), target, accuracy: 1e-6, "target \(target)")
            XCTAssertEqual(delta > 0, target > before, "δ moves the mass toward the target")
        }
        XCTAssertNil(BiasSearch.prior(logits, target: 0))
        XCTAssertNil(BiasSearch.prior(logits, target: 1))
    }

    func testMeanMassIsTheSoftmaxMass() {
        // One image, logits (1, 2, 3), classes 0 and 2 shifted by δ = 0.5: mass of {0, 2} under softmax.
        let logits = ShiftedLogits([1, 2, 3], classes: 3, listed: [0, 2])
        let e = [exp(1.5), exp(2.0), exp(3.5)]
        XCTAssertEqual(logits.meanMass(delta: 0.5), (e[0] + e[2]) / (e[0] + e[1] + e[2]), accuracy: 1e-12)
        // Large logits do not overflow.
        let big = ShiftedLogits([1000, 0, -1000], classes: 3, listed: [1])
        XCTAssertEqual(big.meanMass(delta: 1000), 0.5, accuracy: 1e-12)
    }
}
