// Int8KernelTests: the fast int8 GEMM (both kernels: portable and VNNI) and channels-last uint8 im2col
// against their naive twins: identical int32 results on random shapes, odd sizes (tile tails) and zero points.

import KDTensor
import XCTest

final class Int8KernelTests: XCTestCase {
    /// The kernels to test on this CPU (VNNI only where it runs).
    static let kernels = [Int8Gemm.Kernel.portable, .vnni].filter(Int8Gemm.available)

    func testGemmMatchesNaiveTwinExactly() {
        var rng = SeededGenerator(seed: 7)
        let shapes = [
            (1, 1, 1), (3, 5, 7), (4, 4, 16), (7, 9, 33), (2, 13, 150), (5, 3, 17), (1, 10, 256),
            // k a multiple of 32 (the VNNI kernel's), m and n off its 3x4 tile.
            (1, 1, 32), (3, 4, 32), (4, 5, 64), (7, 9, 96), (49, 64, 576), (10, 10, 160),
        ]
        for kernel in Self.kernels {
            for (m, n, k) in shapes {
                for zero in [Int32(0), 17, 128, 255] {
                    let a = (0..<(m * k)).map { _ in UInt8(truncatingIfNeeded: Int(rng.uniform() * 256)) }
                    let b = (0..<(n * k)).map { _ in Int8(Int(rng.uniform() * 255) - 127) }
                    let sums = Int8Gemm.rowSums(b, n: n, k: k)
                    let label = "\(kernel) m \(m) n \(n) k \(k) zero \(zero)"
                    var c = [Int32](repeating: -1, count: m * n)
                    Int8Gemm.multiply(
                        a: a, aZero: zero, b: b, bRowSums: sums, m: m, n: n, k: k, c: &c, rowStride: n, colStride: 1,
                        kernel: kernel)
                    XCTAssertEqual(c, Reference.int8Gemm(a: a, aZero: zero, b: b, m: m, n: n, k: k), label)
                    // Transposed output layout [n, m], as the convolution writes it.
                    var t = [Int32](repeating: -1, count: m * n)
                    Int8Gemm.multiply(
                        a: a, aZero: zero, b: b, bRowSums: sums, m: m, n: n, k: k, c: &t, rowStride: 1, colStride: m,
                        kernel: kernel)
                    for i in 0..<m { for j in 0..<n { XCTAssertEqual(t[j * m + i], c[i * n + j], label) } }
                }
            }
        }
    }

    func testTheVNNIKernelRunsWhereTheCPUHasIt() throws {
        guard Int8Gemm.available(.vnni) else { throw XCTSkip("this CPU has neither AVX-VNNI nor AVX512-VNNI") }
        XCTAssertEqual(Int8Gemm.best, .vnni, "the default kernel on a VNNI CPU")
    }

    func testExtremeValuesDoNotOverflow() {
        let k = 1024
        let a = [UInt8](repeating: 255, count: k), b = [Int8](repeating: -127, count: 2 * k)
        for kernel in Self.kernels {
            var c = [Int32](repeating: 0, count: 2)
            Int8Gemm.multiply(
                a: a, aZero: 0, b: b, bRowSums: Int8Gemm.rowSums(b, n: 2, k: k), m: 1, n: 2, k: k, c: &c, rowStride: 2,
                colStride: 1, kernel: kernel)
            XCTAssertEqual(c, [-255 * 127 * 1024, -255 * 127 * 1024], "\(kernel)")
        }
    }

    func testConvViaPatchesMatchesNaiveConv() {
        var rng = SeededGenerator(seed: 3)
        for (c, h, w, o, kernel, stride, padding) in [
            (1, 5, 5, 3, 3, 1, 1), (3, 7, 6, 5, 3, 2, 1), (2, 8, 8, 4, 5, 1, 2), (4, 6, 6, 6, 1, 1, 0), (8, 5, 5, 4, 3, 1, 1),
            (1, 9, 9, 6, 5, 1, 0),
        ] {
            let x = (0..<(c * h * w)).map { _ in UInt8(truncatingIfNeeded: Int(rng.uniform() * 256)) }
            let weight = (0..<(o * c * kernel * kernel)).map { _ in Int8(Int(rng.uniform() * 255) - 127) }
            let zero: UInt8 = 37
            let ho = (h + 2 * padding - kernel) / stride + 1, wo = (w + 2 * padding - kernel) / stride + 1
            let kk = c * kernel * kernel
            // Channels-last image [H, W, C] and weights [O, kh, kw, C], as QuantizedLayer holds them.
            var hwc = [UInt8](repeating: 0, count: x.count)
            for ci in 0..<c { for p in 0..<(h * w) { hwc[p * c + ci] = x[ci * h * w + p] } }
            var ohwc = [Int8](repeating: 0, count: weight.count)
            for oi in 0..<o {
                for ci in 0..<c {
                    for t in 0..<(kernel * kernel) {
                        ohwc[(oi * kernel * kernel + t) * c + ci] = weight[(oi * c + ci) * kernel * kernel + t]
                    }
                }
            }
            hwc += [UInt8](repeating: 0, count: Int8Im2col.slack)  // the readable slack patches needs
            var patches = [UInt8](repeating: 0, count: ho * wo * kk + Int8Im2col.slack)
            Int8Im2col.patches(
                hwc, channels: c, height: h, width: w, kernelH: kernel, kernelW: kernel, stride: stride, padding: padding,
                zero: zero, into: &patches)
            var y = [Int32](repeating: 0, count: o * ho * wo)
            Int8Gemm.multiply(
                a: patches, aZero: Int32(zero), b: ohwc, bRowSums: Int8Gemm.rowSums(ohwc, n: o, k: kk), m: ho * wo, n: o,
                k: kk, c: &y, rowStride: 1, colStride: ho * wo)
            let expected = Reference.int8Conv(
                x: x, xZero: Int32(zero), weight: weight, outChannels: o, channels: c, height: h, width: w, kernel: kernel,
                stride: stride, padding: padding)
            XCTAssertEqual(y, expected, "conv \(c)x\(h)x\(w) → \(o), k \(kernel) s \(stride) p \(padding)")
        }
    }

    func testQuantizeToChannelsLastTransposesTheQuantizedImage() {
        let p = Int8Scheme.activationParams(min: -1, max: 3)
        let (c, h, w) = (3, 2, 4)
        let x = (0..<(c * h * w)).map { Float($0) / 6 - 1 }
        var (q, scratch) = ([UInt8](repeating: 0, count: x.count), [UInt8](repeating: 0, count: x.count))
        Int8Im2col.quantizeToChannelsLast(x, channels: c, height: h, width: w, p, scratch: &scratch, into: &q)
        for ci in 0..<c {
            for i in 0..<(h * w) { XCTAssertEqual(Int32(q[i * c + ci]), p.quantize(x[ci * h * w + i]), "c \(ci) pixel \(i)") }
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
