// ProfilerTests: `bench --profile`'s accounting: while on, each recorded op is charged once per forward
// (split by whether gradients are recorded) and once per backward, sections are charged whole; while off,
// nothing is kept.

import KDTensor
import XCTest

final class ProfilerTests: XCTestCase {
    func testOpsAreChargedPerPhaseAndSectionsWhole() {
        let w = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let x = Tensor(shape: [2, 3], scalars: [1, 0, 1, 0, 1, 0])
        Profiler.start()
        let y = matmul(x, w).relu()
        _ = noGrad { matmul(x, w).relu() }
        y.sum().backward()
        Profiler.section("update") { w.zeroGrad() }
        let entries = Profiler.stop()
        func calls(_ phase: String, _ name: String) -> Int? {
            entries.first { $0.phase == phase && $0.name == name }?.calls
        }
        XCTAssertEqual(calls("forward", "matmul"), 1)
        XCTAssertEqual(calls("forward", "relu"), 1)
        XCTAssertEqual(calls("no-grad forward", "matmul"), 1)
        XCTAssertEqual(calls("backward", "matmul"), 1)
        XCTAssertEqual(calls("backward", "relu"), 1)
        XCTAssertEqual(calls("section", "update"), 1)
        XCTAssertTrue(entries.allSatisfy { $0.seconds >= 0 })
        XCTAssertFalse(Profiler.enabled)
        _ = matmul(x, w).relu()
        Profiler.start()
        XCTAssertTrue(Profiler.stop().isEmpty, "nothing is kept while off, and start clears")
    }
}
