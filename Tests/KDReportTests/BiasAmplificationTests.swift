// BiasAmplificationTests: Spearman's ρ with average ranks for ties, and the distillation effect of
// beyond.md 3.2 (d_c, its standard error, harmed classes, ρ against the teacher) on hand-worked values.

import KDReport
import XCTest

final class BiasAmplificationTests: XCTestCase {
    func testRanksAverageTies() {
        XCTAssertEqual(Spearman.ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1])
        XCTAssertEqual(Spearman.ranks([3, 3, 3]), [2, 2, 2])
        XCTAssertEqual(Spearman.ranks([]), [])
    }

    func testSpearmanByHand() {
        XCTAssertEqual(Spearman.rho([1, 2, 3, 4], [10, 20, 30, 40])!, 1, accuracy: 1e-15)
        XCTAssertEqual(Spearman.rho([1, 2, 3, 4], [4, 3, 2, 1])!, -1, accuracy: 1e-15)
        // Ranks x = 1 2 3 4 5, y = 2 1 4 3 5: Σd² = 4, ρ = 1 − 6·4/(5·24) = 0.8.
        XCTAssertEqual(Spearman.rho([1, 2, 3, 4, 5], [20, 10, 40, 30, 50])!, 0.8, accuracy: 1e-12)
        // With ties: x = (1, 2, 2, 3) → ranks 1, 2.5, 2.5, 4; y = (1, 3, 2, 4) → 1, 3, 2, 4.
        // Centred: x (−1.5, 0, 0, 1.5), y (−1.5, 0.5, −0.5, 1.5): Σxy = 4.5, Σx² = 4.5, Σy² = 5; ρ = 4.5/sqrt(22.5).
        XCTAssertEqual(Spearman.rho([1, 2, 2, 3], [1, 3, 2, 4])!, 4.5 / 22.5.squareRoot(), accuracy: 1e-12)
        XCTAssertNil(Spearman.rho([1, 1, 1], [1, 2, 3]), "constant side")
        XCTAssertNil(Spearman.rho([1], [1]))
        XCTAssertNil(Spearman.rho([1, 2], [1, 2, 3]))
    }

    func testEffectAgainstTheOneHotStudent() throws {
        // Four classes, 100 test images each; binary fractions so that the d_c are exact (and tie exactly).
        let n = [100, 100, 100, 100]
        let ce = ClassFairness(accuracy: [0.875, 0.75, 0.625, 0.5], support: n)
        let kd = ClassFairness(accuracy: [0.9375, 0.8125, 0.625, 0.25], support: n)
        let t = ClassFairness(accuracy: [0.96875, 0.9375, 0.75, 0.5], support: n)
        let e = try XCTUnwrap(BiasAmplification(distilled: kd, baseline: ce, teacher: t))
        XCTAssertEqual(e.effect.perClass, [0.0625, 0.0625, 0, -0.25])
        XCTAssertEqual(e.effect.mean, -0.03125)
        XCTAssertEqual(e.effect.minimum?.index, 3)
        // SE(d_3) = sqrt((0.25·0.75 + 0.5·0.5)/100) = sqrt(0.004375) = 0.066144; −0.25 < −0.132288: harmed.
        XCTAssertEqual(e.standardError[3]!, 0.004375.squareRoot(), accuracy: 1e-15)
        // SE(d_0) = sqrt((0.9375·0.0625 + 0.875·0.125)/100); d_0 > 0, not harmed.
        XCTAssertEqual(e.standardError[0]!, ((0.05859375 + 0.109375) / 100).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(e.harmed, [3])
        // Teacher ranks 4 3 2 1; d (0.0625, 0.0625, 0, −0.25) ranks 3.5 3.5 2 1.
        // Centred: t (1.5, 0.5, −0.5, −1.5), d (1, 1, −0.5, −1.5): Σ = 1.5 + 0.5 + 0.25 + 2.25 = 4.5;
        // Σt² = 5, Σd² = 1 + 1 + 0.25 + 2.25 = 4.5; ρ = 4.5/sqrt(22.5) = 0.948683.
        XCTAssertEqual(e.rho!, 4.5 / 22.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(e.worstDistilled, 0.25)
        XCTAssertEqual(e.worstBaseline, 0.5)
        XCTAssertNil(BiasAmplification(distilled: kd, baseline: ClassFairness(accuracy: [1], support: [1]), teacher: t))
        XCTAssertNil(BiasAmplification(distilled: kd, baseline: ce, teacher: nil)?.rho)
    }

    func testASmallDropWithinTwoStandardErrorsIsNotHarm() throws {
        // d = −0.02 on 100 images near 0.5: SE(d) ≈ sqrt(0.5/100) = 0.0707, and −0.02 > −0.141.
        let e = try XCTUnwrap(
            BiasAmplification(
                distilled: ClassFairness(accuracy: [0.48, 0.9], support: [100, 100]),
                baseline: ClassFairness(accuracy: [0.5, 0.9], support: [100, 100]), teacher: nil))
        XCTAssertEqual(e.harmed, [])
    }
}
