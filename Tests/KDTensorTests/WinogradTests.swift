// WinogradTests: the Winograd F(2x2,3x3) kernels against their naive twin (Reference.winograd*), and both
// against the direct naive convolution and its gradients within an error bound relative to Σ|products|.

import KDTensor
import TestSupport
import XCTest

final class WinogradTests: XCTestCase {
    override func tearDown() {
        Parallel.threads = 2
        ConvKernels.lowering = .auto
    }

    /// Odd maps, batch > 1, channel counts that are multiples of nothing, padding 0, 1 and 2; tile rows of
    /// 1–4 tiles (4: the paired-row transforms) and more than 8; batches split into several groups.
    static let cases: [ConvGeometry] = [
        ConvGeometry(batch: 3, inChannels: 5, height: 7, width: 9, outChannels: 3, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
        ConvGeometry(
            batch: 2, inChannels: 3, height: 11, width: 6, outChannels: 7, kernelH: 3, kernelW: 3, stride: 1, padding: 0),
        ConvGeometry(
            batch: 2, inChannels: 3, height: 19, width: 21, outChannels: 2, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
        ConvGeometry(
            batch: 7, inChannels: 2, height: 20, width: 20, outChannels: 3, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
        ConvGeometry(batch: 2, inChannels: 1, height: 5, width: 4, outChannels: 2, kernelH: 3, kernelW: 3, stride: 1, padding: 2),
        ConvGeometry(batch: 1, inChannels: 4, height: 3, width: 3, outChannels: 1, kernelH: 3, kernelW: 3, stride: 1, padding: 0),
        // Four tiles per row (7x7 and 8x8 outputs) take the paired-row transforms.
        ConvGeometry(batch: 3, inChannels: 5, height: 8, width: 8, outChannels: 6, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
        ConvGeometry(batch: 2, inChannels: 3, height: 7, width: 7, outChannels: 4, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
        ConvGeometry(
            batch: 2, inChannels: 2, height: 9, width: 10, outChannels: 3, kernelH: 3, kernelW: 3, stride: 1, padding: 0),
    ]

    /// Winograd's rounding error, relative to the sum of |products| an output adds up: 64 float32 epsilons
    /// (7.6e-6). The transforms add at most 16 terms with coefficients of magnitude ≤ 1 (Bᵀ, Aᵀ) or ≤ 1/2 (G)
    /// around each transformed-domain dot product; the measured worst case in these tests is below 1e-6.
    static let relativeBound: Float = 64 * Float.ulpOfOne

    func testWinogradMatchesTwinAndDirectConvolution() {
        var worst: Float = 0
        for threads in [1, 2] {
            Parallel.threads = threads
            for (n, g) in Self.cases.enumerated() {
                let x = randomTensor([g.batch, g.inChannels, g.height, g.width], seed: UInt64(n))
                let w = randomTensor([g.outChannels, g.inChannels, 3, 3], seed: UInt64(n + 100))
                let b = randomTensor([g.outChannels], seed: UInt64(n + 200))
                let dy = randomTensor([g.batch, g.outChannels, g.outHeight, g.outWidth], seed: UInt64(n + 300))
                ConvKernels.lowering = .winograd
                let y = conv2d(x, weight: w, bias: b, stride: 1, padding: g.padding)
                let dx = Tensor(uninitialized: x.shape), dw = Tensor(uninitialized: w.shape), db = Tensor(uninitialized: b.shape)
                ConvKernels.backward(x: x.data, weight: w.data, dy: dy.data, dx: dx.data, dWeight: dw.data, dBias: db.data, g)

                // The fast kernels against the twin: the same algorithm, so only summation order differs.
                let twinY = Reference.winogradConv2d(x: x.scalars, weight: w.scalars, bias: b.scalars, g)
                let twinDx = Reference.winogradInputGradient(weight: w.scalars, dy: dy.scalars, g)
                let twinDw = Reference.winogradWeightGradient(x: x.scalars, dy: dy.scalars, g)
                assertClose(y.scalars, twinY, atol: 1e-5, "forward vs twin, case \(n), \(threads) threads")
                assertClose(dx.scalars, twinDx, atol: 1e-5, "dx vs twin, case \(n)")
                assertClose(dw.scalars, twinDw, atol: 1e-4, "dW vs twin, case \(n)")

                // Both against the direct naive convolution, relative to Σ|products| of each output.
                let (ax, aw, ady) = (x.scalars.map(abs), w.scalars.map(abs), dy.scalars.map(abs))
                let scaleY = Reference.conv2d(x: ax, weight: aw, bias: nil, g)
                let scales = Reference.conv2dBackward(x: ax, weight: aw, dy: ady, g)
                let direct = Reference.conv2d(x: x.scalars, weight: w.scalars, bias: b.scalars, g)
                let grads = Reference.conv2dBackward(x: x.scalars, weight: w.scalars, dy: dy.scalars, g)
                for (name, got, want, scale) in [
                    ("forward", y.scalars, direct, scaleY), ("twin forward", twinY, direct, scaleY),
                    ("dx", dx.scalars, grads.dx, scales.dx), ("twin dx", twinDx, grads.dx, scales.dx),
                    ("dW", dw.scalars, grads.dWeight, scales.dWeight), ("twin dW", twinDw, grads.dWeight, scales.dWeight),
                ] {
                    for i in want.indices {
                        let error = abs(got[i] - want[i]), allowed = Self.relativeBound * scale[i] + 1e-7
                        if scale[i] > 1e-2 { worst = max(worst, error / scale[i]) }
                        if error > allowed {
                            XCTFail("\(name) case \(n) [\(i)]: |\(got[i]) − \(want[i])| > \(allowed)")
                            break
                        }
                    }
                }
                assertClose(db.scalars, grads.dBias, atol: 1e-4, "db case \(n)")
            }
        }
        print("Winograd worst error / Σ|products|: \(worst)")
    }

    /// The rule: forcing a lowering that cannot run a shape falls back to the measured choice.
    func testForcedWinogradFallsBackWhereItDoesNotApply() {
        ConvKernels.lowering = .winograd
        let g = ConvGeometry(
            batch: 2, inChannels: 3, height: 9, width: 8, outChannels: 4, kernelH: 3, kernelW: 3, stride: 2, padding: 1)
        let x = randomTensor([2, 3, 9, 8], seed: 1), w = randomTensor([4, 3, 3, 3], seed: 2)
        let y = conv2d(x, weight: w, stride: 2, padding: 1)
        assertClose(y.scalars, Reference.conv2d(x: x.scalars, weight: w.scalars, bias: nil, g), atol: 1e-4, "stride 2")
    }
}
