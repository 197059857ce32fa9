// Int8SchemeTests: the int8 rule against hand-computed scales, zero points and rounding.
// The values are worked out in the comments; nothing here is derived from the code under test.

import KDTensor
import XCTest

final class Int8SchemeTests: XCTestCase {
    func testWeightScalesArePerOutputChannel() {
        // Channel 0: max |w| = 2.54 → scale 0.02; channel 1 all zero → the minimum scale.
        let params = Int8Scheme.weightParams([1.0, -2.54, 0.5, 0, 0, 0], outChannels: 2)
        XCTAssertEqual(params[0].scale, 0.02, accuracy: 1e-7)
        XCTAssertEqual(params[0].zeroPoint, 0)
        XCTAssertEqual(params[0].quantize(-2.54), -127)
        XCTAssertEqual(params[0].quantize(1.0), 50)  // 1.0 / 0.02 = 50
        XCTAssertEqual(params[0].quantize(0.5), 25)
        XCTAssertEqual(params[1].scale, Int8Scheme.minimumScale)
        XCTAssertEqual(params[1].quantize(0), 0)
    }

    func testActivationRangeIsWidenedToContainZero() {
        // [0.5, 5.6] widens to [0, 5.6]: scale 5.6 / 255, zero point 0.
        let p = Int8Scheme.activationParams(min: 0.5, max: 5.6)
        XCTAssertEqual(p.scale, 5.6 / 255, accuracy: 1e-7)
        XCTAssertEqual(p.zeroPoint, 0)
        // [-1, 1.55]: scale 2.55 / 255 = 0.01, zero point round(1 / 0.01) = 100.
        let q = Int8Scheme.activationParams(min: -1, max: 1.55)
        XCTAssertEqual(q.scale, 0.01, accuracy: 1e-7)
        XCTAssertEqual(q.zeroPoint, 100)
        XCTAssertEqual(q.quantize(0), 100)
        XCTAssertEqual(q.quantize(-5), 0)  // clamped
        XCTAssertEqual(q.quantize(9), 255)  // clamped
        XCTAssertFalse(q.isInRange(9))
        XCTAssertTrue(q.isInRange(1.5))
        XCTAssertEqual(q.fakeQuantize(0.123), 0.12, accuracy: 1e-6)
    }

    func testTiesRoundToEvenAsQuantizeLinearDoes() {
        let p = QuantParams(scale: 1, zeroPoint: 0, qmin: -127, qmax: 127)
        XCTAssertEqual(p.quantize(2.5), 2)
        XCTAssertEqual(p.quantize(3.5), 4)
        XCTAssertEqual(p.quantize(-2.5), -2)
    }

    func testBiasIsAtTheProductScale() {
        XCTAssertEqual(Int8Scheme.quantizedBias(0.3, inputScale: 0.01, weightScale: 0.02), 1500)
    }
}
