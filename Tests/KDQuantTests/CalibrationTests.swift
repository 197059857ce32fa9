// CalibrationTests: min–max ranges equal the hand-computed extremes of a tiny input; the percentile
// method reads a known distribution's percentiles from its histogram within a bin; QuantRanges metadata
// round-trips and rejects bad text in one line.

import KDNN
import KDQuant
import KDTensor
import XCTest

final class CalibrationTests: XCTestCase {
    func testMinMaxOfTheFirstLayerIsTheInputsExtremes() throws {
        // An MLP's first linear layer reads the flattened input itself.
        let model = try Zoo.build(ModelSpec(name: "mlp-4", inputShape: [1, 2, 2], numClasses: 3), seed: 1)
        let program = try FoldedProgram(model: model)
        let a = Tensor(shape: [1, 1, 2, 2], scalars: [0.5, -1.25, 2, 0])
        let b = Tensor(shape: [1, 1, 2, 2], scalars: [3.5, 0.25, -0.5, 1])
        let ranges = try Calibration.ranges(program, batches: [a, b], method: .minMax)
        let first = try XCTUnwrap(program.layers.min { $0.key < $1.key }?.value.name)
        XCTAssertEqual(ranges[first], QuantRange(lo: -1.25, hi: 3.5))
        XCTAssertEqual(ranges.count, program.layers.count)
        // The second layer reads ReLU output: its lower end is 0 (or more).
        for (name, r) in ranges where name != first { XCTAssertGreaterThanOrEqual(r.lo, 0, name) }
    }

    func testPercentileOfAUniformSequence() {
        // 0, 1, ..., 9999: the 99th percentile is about 9900, the 1st about 100.
        let values = Tensor(shape: [10_000], scalars: (0..<10_000).map(Float.init))
        let range = Calibration.minMax(values)
        XCTAssertEqual(range, QuantRange(lo: 0, hi: 9999))
        var histogram = [Int](repeating: 0, count: Calibration.bins)
        Calibration.accumulate(values, range: range, into: &histogram)
        XCTAssertEqual(histogram.reduce(0, +), 10_000)
        let r = Calibration.percentileRange(histogram, range: range, percentile: 99)
        let bin = Float(9999) / Float(Calibration.bins)
        XCTAssertEqual(r.hi, 9900, accuracy: 2 * bin)
        XCTAssertEqual(r.lo, 100, accuracy: 2 * bin)
        XCTAssertEqual(Calibration.percentileRange(histogram, range: range, percentile: 100), QuantRange(lo: 0, hi: 9999))
    }

    func testPercentileClipsAnOutlier() throws {
        let model = try Zoo.build(ModelSpec(name: "mlp-4", inputShape: [1, 10, 10], numClasses: 3), seed: 1)
        let program = try FoldedProgram(model: model)
        var values = (0..<100).map { Float($0) / 100 }
        values[37] = 1000
        let x = Tensor(shape: [1, 1, 10, 10], scalars: values)
        let first = try XCTUnwrap(program.layers.min { $0.key < $1.key }?.value.name)
        let minMax = try Calibration.ranges(program, batches: [x], method: .minMax)[first]
        let clipped = try Calibration.ranges(program, batches: [x], method: .percentile(98))[first]
        XCTAssertEqual(minMax?.hi, 1000)
        XCTAssertLessThan(try XCTUnwrap(clipped?.hi), 2)
    }

    func testQuantRangesRoundTrip() throws {
        let ranges = ["conv1": QuantRange(lo: -2.5, hi: 3.25), "fc": QuantRange(lo: 0, hi: 7)]
        let text = QuantRanges.encode(ranges)
        XCTAssertEqual(text, #"{"conv1":[-2.5,3.25],"fc":[0,7]}"#)
        XCTAssertEqual(try QuantRanges.decode(text, source: "a.safetensors"), ranges)
        XCTAssertEqual(
            try QuantRanges.decode(#"{"layer1.0.conv1.":[0,1]}"#, source: "a")["layer1.0.conv1"], QuantRange(lo: 0, hi: 1))
        for bad in [#"{"fc":[1]}"#, #"{"fc":[2,1]}"#, "[1,2]", #"{"fc":"x"}"#] {
            XCTAssertThrowsError(try QuantRanges.decode(bad, source: "a.safetensors")) { error in
                XCTAssertTrue("\(error)".hasPrefix("a.safetensors: __metadata__.kdistill.quant_ranges: expected"), "\(error)")
            }
        }
    }
}
