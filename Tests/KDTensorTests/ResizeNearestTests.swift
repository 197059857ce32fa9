// ResizeNearestTests: nearest-neighbour resizing against known values (up- and downsampling, PyTorch's
// float32 index rule where it differs from exact division) and against its naive twin, with gradients.

import KDTensor
import TestSupport
import XCTest

final class ResizeNearestTests: XCTestCase {
    override func tearDown() { Parallel.threads = 2 }

    func testKnownValuesUpAndDown() {
        let x = Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
        // 2 → 4 rows (twice: dst/2), 3 → 5 columns (0.6: 0, 0, 1, 1, 2).
        XCTAssertEqual(
            resizeNearest2d(x, outH: 4, outW: 5).scalars,
            [1, 1, 2, 2, 3, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 4, 4, 5, 5, 6])
        // 4x4 → 2x2 reads rows and columns 0 and 2; 7 → 4 reads 0, 1, 3, 5 (1.75).
        let grid = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        XCTAssertEqual(resizeNearest2d(grid, outH: 2, outW: 2).scalars, [0, 2, 8, 10])
        let row = Tensor(shape: [1, 1, 1, 7], scalars: (0..<7).map(Float.init))
        XCTAssertEqual(resizeNearest2d(row, outH: 1, outW: 4).scalars, [0, 1, 3, 5])
        // A 1x1 map broadcast to 3x2 (ReviewKD's deepest level), and the identity.
        XCTAssertEqual(resizeNearest2d(Tensor(shape: [1, 1, 1, 1], scalars: [7]), outH: 3, outW: 2).scalars, [7, 7, 7, 7, 7, 7])
        XCTAssertEqual(resizeNearest2d(x, outH: 2, outW: 3).scalars, x.scalars)
    }

    func testPyTorchFloatIndexRule() {
        // torch 2.x: 14 → 46 reads 6 at 23 and 26 → 22 reads 12 at 11, one below ⌊dst·in/out⌋ (float32 in/out).
        XCTAssertEqual(ResizeKernels.sourceIndices(input: 14, output: 46)[23], 6)
        XCTAssertEqual(ResizeKernels.sourceIndices(input: 26, output: 22)[11], 12)
        XCTAssertEqual(
            ResizeKernels.sourceIndices(input: 26, output: 22),
            [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24])
    }

    func testGradientSumsIntoSourcePixels() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        (resizeNearest2d(x, outH: 3, outW: 5) * 1).sum().backward()
        // Rows 0, 0, 1 (2 → 3) and columns 0, 0, 0, 1, 1 (2 → 5: 0.4): pixel (0, 0) is read 2·3 times.
        XCTAssertEqual(x.grad?.scalars, [6, 4, 3, 2])
        let y = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init), requiresGrad: true)
        resizeNearest2d(y, outH: 2, outW: 2).sum().backward()
        XCTAssertEqual(y.grad?.scalars, [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0], "unread pixels get 0")
    }

    func testMatchesNaiveTwin() {
        // (h, w, outH, outW): up, down, mixed, odd ratios, identity, twice.
        let cases = [(3, 5, 7, 9), (8, 8, 3, 5), (5, 7, 10, 3), (14, 26, 46, 22), (4, 4, 4, 4), (3, 2, 6, 4), (1, 1, 4, 3)]
        for threads in [1, 2] {
            Parallel.threads = threads
            for (k, (h, w, oh, ow)) in cases.enumerated() {
                let x = randomTensor([2, 3, h, w], seed: UInt64(40 + k))
                let y = resizeNearest2d(x, outH: oh, outW: ow)
                XCTAssertEqual(y.shape, [2, 3, oh, ow])
                let dy = randomTensor(y.shape, seed: UInt64(60 + k))
                let ref = Reference.resizeNearest(x: x.scalars, planes: 6, h: h, w: w, oh: oh, ow: ow, dy: dy.scalars)
                XCTAssertEqual(y.scalars, ref.y, "forward case \(k), \(threads) threads")
                let dx = Tensor(uninitialized: x.shape)
                ResizeKernels.backward(dy: dy.data, dx: dx.data, planes: 6, inH: h, inW: w, outH: oh, outW: ow)
                assertClose(dx.scalars, ref.dx, atol: 1e-6, rtol: 1e-6, "backward case \(k), \(threads) threads")
            }
        }
    }
}
