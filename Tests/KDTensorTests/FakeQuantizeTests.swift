// FakeQuantizeTests: fake quantization against its naive twin (bit for bit, one and two threads), and the
// straight-through gradient against hand-computed values. Finite differences are meaningless here: the
// forward pass is a staircase whose true derivative is 0 almost everywhere and undefined at the steps, while
// the straight-through estimator deliberately passes the gradient unchanged inside the range.

import KDTensor
import TestSupport
import XCTest

final class FakeQuantizeTests: XCTestCase {
    override func tearDown() { Parallel.threads = 2 }

    /// Per-tensor and per-channel STE on hand-picked values; returns the ops recorded (the census).
    static func straightThroughChecked(file: StaticString = #filePath, line: UInt = #line) -> Set<Op> {
        // Activations: [lo, hi] = [-1, 1.55] → scale 0.01, zero point 100, representable [-1, 1.55].
        let p = Int8Scheme.activationParams(min: -1, max: 1.55)
        let x = Tensor(shape: [2, 3], scalars: [0.123, -5, 9, 1.5, -1, 0.004])
        x.requiresGrad = true
        let y = fakeQuantize(x, p)
        // 0.123 → 12.3 → 12 → 0.12; -5 and 9 clamp to -1 and 1.55; 0.004 → 0.4 → 0 → 0.
        let expected: [Float] = [0.12, -1, 1.55, 1.5, -1, 0]
        for (a, b) in zip(y.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-6, file: file, line: line) }
        let ops = y.opsOnTape
        let upstream = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        (y * upstream).sum().backward()
        // Passed where in range (-1 is the lowest representable value: in range), 0 where clamped (-5, 9).
        XCTAssertEqual(x.grad?.scalars, [1, 0, 0, 4, 5, 6], file: file, line: line)

        // Weights [2, 3]: row 0 max |w| 1.27 → scale 0.01; row 1 max |w| 2.54 → scale 0.02.
        let w = Tensor(shape: [2, 3], scalars: [1.27, -0.333, 0.005, 2.54, -1.01, 0.03])
        w.requiresGrad = true
        let params = Int8Scheme.weightParams(of: w)
        XCTAssertEqual(params[0].scale, 0.01, accuracy: 1e-8, file: file, line: line)
        XCTAssertEqual(params[1].scale, 0.02, accuracy: 1e-8, file: file, line: line)
        let wq = fakeQuantize(w, perChannel: params)
        // -0.333 → -33.3 → -33 → -0.33; 0.005 → 0.5 → 0 (tie to even); -1.01 → -50.5 → -50 → -1.0; 0.03 → 1.5 → 2 → 0.04.
        let wExpected: [Float] = [1.27, -0.33, 0, 2.54, -1.0, 0.04]
        for (a, b) in zip(wq.scalars, wExpected) { XCTAssertEqual(a, b, accuracy: 1e-6, file: file, line: line) }
        // A clamped weight: a scale from an earlier, smaller weight leaves 0.5 outside [-127, 127]·0.001.
        let small = [Int8Scheme.weightParams(maxAbs: 0.127), params[1]]
        let clipped = fakeQuantize(w, perChannel: small)
        XCTAssertEqual(clipped.scalars[0], 0.127, accuracy: 1e-6, file: file, line: line)
        (clipped * Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])).sum().backward()
        XCTAssertEqual(w.grad?.scalars, [0, 0, 3, 4, 5, 6], file: file, line: line)
        return ops.union(wq.opsOnTape)
    }

    func testStraightThroughGradientMatchesHandComputedValues() {
        XCTAssertEqual(Self.straightThroughChecked(), [.fakeQuantize])
    }

    func testKernelsMatchNaiveTwinBitForBit() {
        for threads in [1, 2] {
            Parallel.threads = threads
            for (k, n) in [1, 17, 4099, 70001].enumerated() {
                let x = randomTensor([n], seed: UInt64(k), std: 2)
                let g = randomTensor([n], seed: UInt64(k + 50))
                let p = Int8Scheme.activationParams(min: -1.3, max: 2.1)
                let out = Tensor(uninitialized: [n]), mask = Tensor(uninitialized: [n])
                FakeQuantKernels.fakeQuantize(x.data, out.data, n, p)
                FakeQuantKernels.passMask(g.data, x.data, mask.data, n, p)
                XCTAssertEqual(out.scalars, NaiveFakeQuant.fakeQuantize(x.scalars, p), "n \(n), \(threads) threads")
                XCTAssertEqual(mask.scalars, NaiveFakeQuant.passMask(g.scalars, x.scalars, p), "n \(n)")
                let (lo, hi) = FakeQuantKernels.minMax(x.data, n)
                XCTAssertEqual(lo, x.scalars.min())
                XCTAssertEqual(hi, x.scalars.max())
            }
            for (k, shape) in [[3, 1, 5, 5], [16, 6, 5, 5], [7, 300], [64, 32, 3, 3]].enumerated() {
                let w = randomTensor(shape, seed: UInt64(k + 9))
                let g = randomTensor(shape, seed: UInt64(k + 90))
                var params = Int8Scheme.weightParams(w.scalars, outChannels: shape[0])
                XCTAssertEqual(params, Int8Scheme.weightParams(of: w))
                params[0] = Int8Scheme.weightParams(maxAbs: 0.05)  // a row with clamped entries
                let out = Tensor(uninitialized: shape), mask = Tensor(uninitialized: shape)
                FakeQuantKernels.fakeQuantizePerChannel(w.data, out.data, per: w.count / shape[0], params)
                FakeQuantKernels.passMaskPerChannel(g.data, w.data, mask.data, per: w.count / shape[0], params)
                XCTAssertEqual(out.scalars, NaiveFakeQuant.fakeQuantizePerChannel(w.scalars, params), "\(shape)")
                XCTAssertEqual(mask.scalars, NaiveFakeQuant.passMaskPerChannel(g.scalars, w.scalars, params), "\(shape)")
            }
        }
    }

    func testFakeQuantizedValuesLieOnTheGrid() {
        let p = Int8Scheme.activationParams(min: -0.42, max: 2.8)
        let y = fakeQuantize(randomTensor([1000], seed: 4, std: 3), p)
        for v in y.scalars {
            let steps = v / p.scale
            XCTAssertEqual(steps, steps.rounded(), accuracy: 1e-3)
            XCTAssertGreaterThanOrEqual(v, p.dequantize(0) - 1e-6)
            XCTAssertLessThanOrEqual(v, p.dequantize(255) + 1e-6)
        }
    }
}
