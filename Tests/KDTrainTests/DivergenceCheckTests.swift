// DivergenceCheckTests: a non-finite loss, and a finite one past 10^6 times its stage's first loss,
// count as divergence; each stage starts its own reference.

import KDTrain
import XCTest

final class DivergenceCheckTests: XCTestCase {
    func testNonFiniteAndExplodedLossesPerStage() {
        var check = DivergenceCheck()
        XCTAssertNil(check.check(50, stage: "hint"))
        XCTAssertNil(check.check(4.9e7, stage: "hint"), "under 10^6 x 50")
        XCTAssertEqual(check.check(6e7, stage: "hint")?.hasPrefix("exploded to 6e+07"), true)
        XCTAssertEqual(check.check(.nan, stage: "hint"), "became non-finite")
        XCTAssertEqual(check.check(.infinity, stage: "train"), "became non-finite")
        XCTAssertNil(check.check(0.01, stage: "train"), "a new stage, a new reference")
        XCTAssertNil(check.check(9e5, stage: "train"), "the reference is floored at 1")
        XCTAssertNotNil(check.check(2e6, stage: "train"))
    }
}
