// Learning-rate schedules: PyTorch's scheduler sequences step by step, warm-up rounding, and the
// shape of each schedule at its boundaries.

import KDNN
import XCTest

final class ScheduleTests: XCTestCase {
    func testSequencesMatchPyTorchSchedulers() {
        XCTAssertEqual(OptimGolden.schedules.count, 10)
        for c in OptimGolden.schedules {
            XCTAssertEqual(c.lrs.count, c.schedule.totalSteps)
            for (t, expected) in c.lrs.enumerated() {
                let got = Double(c.schedule.learningRate(atStep: t))
                XCTAssertEqual(
                    got, expected, accuracy: 1e-6 * max(expected, 1e-4),
                    "\(c.schedule.kind) warm-up \(c.schedule.warmupEpochs) step \(t)")
            }
        }
    }

    func testWarmupSteps() {
        func w(_ epochs: Double, _ steps: Int = 469, _ total: Int = 10) -> Int {
            LRSchedule(baseLR: 0.1, kind: .constant, stepsPerEpoch: steps, epochs: total, warmupEpochs: epochs).warmupSteps
        }
        XCTAssertEqual(w(0), 0)
        XCTAssertEqual(w(1), 469)
        XCTAssertEqual(w(0.5), 235)  // 234.5 rounds up
        XCTAssertEqual(w(0.3, 10), 3)
        XCTAssertEqual(w(0.0001), 1, "any warm-up is at least one step")
        XCTAssertEqual(w(50), 4690, "never longer than the run")
        let all = LRSchedule(baseLR: 0.1, kind: .cosine(minLR: 0), stepsPerEpoch: 2, epochs: 2, warmupEpochs: 5)
        XCTAssertEqual((0..<4).map { all.learningRate(atStep: $0) }, [0.025, 0.05, 0.075, 0.1])
    }

    func testBoundaries() {
        let cosine = LRSchedule(baseLR: 0.05, kind: .cosine(minLR: 0), stepsPerEpoch: 469, epochs: 10)
        XCTAssertEqual(cosine.learningRate(atStep: 0), 0.05)
        XCTAssertEqual(cosine.learningRate(atStep: 2345), 0.025, accuracy: 1e-8)
        XCTAssertLessThan(cosine.learningRate(atStep: 4689), 1e-7)
        XCTAssertEqual(cosine.learningRate(atStep: 10_000), 0, "past the end stays at the minimum")
        let steps = LRSchedule(baseLR: 0.1, kind: .multiStep(milestones: [3, 6], gamma: 0.1), stepsPerEpoch: 4, epochs: 8)
        XCTAssertEqual(steps.learningRate(atStep: 11), 0.1)
        XCTAssertEqual(steps.learningRate(atStep: 12), 0.01, accuracy: 1e-9, "decays exactly at the epoch boundary")
        XCTAssertEqual(steps.learningRate(atEpoch: 6), 0.001, accuracy: 1e-10)
        let constant = LRSchedule(baseLR: 0.3, kind: .constant, stepsPerEpoch: 0, epochs: 0)
        XCTAssertEqual(constant.totalSteps, 1)
        XCTAssertEqual(constant.learningRate(atStep: 5), 0.3)
    }
}
