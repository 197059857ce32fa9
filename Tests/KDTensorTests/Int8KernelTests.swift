// Int8KernelTests: the fast int8 GEMM and uint8 im2col against their naive twins: identical int32
// results on random shapes, odd sizes (tails of the 16-lane and 4-column blocks) and zero points.

import KDTensor
import XCTest

final class Int8KernelTests: XCTestCase {
    func testGemmMatchesNaiveTwinExactly() {
        var rng = SeededGenerator(seed: 7)
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (4, 4, 16), (7, 9, 33), (2, 13, 150), (5, 3, 17), (1, 10, 256)] {
            for zero in [Int32(0), 17, 128, 255] {
                let a = (0..<(m * k)).map { _ in UInt8(truncatingIfNeeded: Int(rng.uniform() * 256)) }
                let b = (0..<(n * k)).map { _ in Int8(Int(rng.uniform() * 255) - 127) }
                let sums = Int8Gemm.rowSums(b, n: n, k: k)
                var c = [Int32](repeating: -1, count: m * n)
                Int8Gemm.multiply(a: a, aZero: zero, b: b, bRowSums: sums, m: m, n: n, k: k, c: &c, rowStride: n, colStride: 1)
                XCTAssertEqual(
                    c, Reference.int8Gemm(a: a, aZero: zero, b: b, m: m, n: n, k: k), "m \(m) n \(n) k \(k) zero \(zero)")
                // Transposed output layout [n, m], as the convolution writes it.
                var t = [Int32](repeating: -1, count: m * n)
                Int8Gemm.multiply(a: a, aZero: zero, b: b, bRowSums: sums, m: m, n: n, k: k, c: &t, rowStride: 1, colStride: m)
                for i in 0..<m { for j in 0..<n { XCTAssertEqual(t[j * m + i], c[i * n + j]) } }
            }
        }
    }

    func testExtremeValuesDoNotOverflow() {
        let k = 1000
        let a = [UInt8](repeating: 255, count: k), b = [Int8](repeating: -127, count: 2 * k)
        var c = [Int32](repeating: 0, count: 2)
        Int8Gemm.multiply(
            a: a, aZero: 0, b: b, bRowSums: Int8Gemm.rowSums(b, n: 2, k: k), m: 1, n: 2, k: k, c: &c, rowStride: 2, colStride: 1)
        XCTAssertEqual(c, [-255 * 127 * 1000, -255 * 127 * 1000])
    }

    func testConvViaPatchesMatchesNaiveConv() {
        var rng = SeededGenerator(seed: 3)
        for (c, h, w, o, kernel, stride, padding) in [
            (1, 5, 5, 3, 3, 1, 1), (3, 7, 6, 5, 3, 2, 1), (2, 8, 8, 4, 5, 1, 2), (4, 6, 6, 6, 1, 1, 0),
        ] {
            let x = (0..<(c * h * w)).map { _ in UInt8(truncatingIfNeeded: Int(rng.uniform() * 256)) }
            let weight = (0..<(o * c * kernel * kernel)).map { _ in Int8(Int(rng.uniform() * 255) - 127) }
            let zero: UInt8 = 37
            let ho = (h + 2 * padding - kernel) / stride + 1, wo = (w + 2 * padding - kernel) / stride + 1
            let kk = c * kernel * kernel
            var patches = [UInt8](repeating: 0, count: ho * wo * kk)
            Int8Im2col.patches(
                x, channels: c, height: h, width: w, kernelH: kernel, kernelW: kernel, stride: stride, padding: padding,
                zero: zero, into: &patches)
            var y = [Int32](repeating: 0, count: o * ho * wo)
            Int8Gemm.multiply(
                a: patches, aZero: Int32(zero), b: weight, bRowSums: Int8Gemm.rowSums(weight, n: o, k: kk), m: ho * wo, n: o,
                k: kk, c: &y, rowStride: 1, colStride: ho * wo)
            let expected = Reference.int8Conv(
                x: x, xZero: Int32(zero), weight: weight, outChannels: o, channels: c, height: h, width: w, kernel: kernel,
                stride: stride, padding: padding)
            XCTAssertEqual(y, expected, "conv \(c)x\(h)x\(w) → \(o), k \(kernel) s \(stride) p \(padding)")
        }
    }

    func testQuantizeUsesTheSchemesRounding() {
        let p = Int8Scheme.activationParams(min: -1, max: 3)
        let x: [Float] = [-2, -1, 0, 0.5, 1.234, 3, 9]
        var q = [UInt8](repeating: 0, count: x.count)
        Int8Im2col.quantize(x, count: x.count, p, into: &q)
        XCTAssertEqual(q.map(Int32.init), x.map(p.quantize))
    }
}
