// KernelTwinTests: every fast kernel (im2col+GEMM convolution, pooling, batch norm) against its naive
// loop-nest twin in Reference, on odd shapes, strides and paddings, with one and with two threads.

import KDTensor
import TestSupport
import XCTest

final class KernelTwinTests: XCTestCase {
    override func tearDown() {
        Parallel.threads = 2
        ConvKernels.lowering = .auto
    }

    static let convCases: [ConvGeometry] = [
        ConvGeometry(batch: 3, inChannels: 3, height: 7, width: 5, outChannels: 4, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
        ConvGeometry(batch: 2, inChannels: 2, height: 9, width: 8, outChannels: 5, kernelH: 3, kernelW: 3, stride: 2, padding: 1),
        ConvGeometry(batch: 3, inChannels: 4, height: 6, width: 6, outChannels: 3, kernelH: 1, kernelW: 1, stride: 1, padding: 0),
        ConvGeometry(batch: 2, inChannels: 4, height: 7, width: 7, outChannels: 6, kernelH: 1, kernelW: 1, stride: 2, padding: 0),
        ConvGeometry(
            batch: 1, inChannels: 1, height: 11, width: 13, outChannels: 6, kernelH: 5, kernelW: 5, stride: 1, padding: 2),
        ConvGeometry(
            batch: 5, inChannels: 3, height: 10, width: 9, outChannels: 2, kernelH: 5, kernelW: 3, stride: 3, padding: 0),
        ConvGeometry(batch: 2, inChannels: 2, height: 4, width: 4, outChannels: 3, kernelH: 3, kernelW: 3, stride: 1, padding: 2),
        // Large enough (≥ 144 pixels) for the direct kernels, with channel counts that are not multiples of 4.
        ConvGeometry(
            batch: 3, inChannels: 5, height: 13, width: 12, outChannels: 6, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
        ConvGeometry(
            batch: 2, inChannels: 2, height: 16, width: 15, outChannels: 7, kernelH: 5, kernelW: 5, stride: 1, padding: 2),
        ConvGeometry(
            batch: 4, inChannels: 1, height: 14, width: 14, outChannels: 3, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
    ]

    func testConvolutionMatchesNaiveTwin() {
        for (threads, lowering) in [(1, ConvLowering.auto), (2, .auto), (2, .im2col), (2, .winograd)] {
            Parallel.threads = threads
            ConvKernels.lowering = lowering
            for (k, g) in Self.convCases.enumerated() {
                let x = randomTensor([g.batch, g.inChannels, g.height, g.width], seed: UInt64(k))
                let w = randomTensor([g.outChannels, g.inChannels, g.kernelH, g.kernelW], seed: UInt64(k + 100))
                let b = randomTensor([g.outChannels], seed: UInt64(k + 200))
                let y = conv2d(x, weight: w, bias: b, stride: g.stride, padding: g.padding)
                XCTAssertEqual(y.shape, [g.batch, g.outChannels, g.outHeight, g.outWidth])
                assertClose(
                    y.scalars, Reference.conv2d(x: x.scalars, weight: w.scalars, bias: b.scalars, g),
                    atol: 1e-4, "conv forward case \(k), \(threads) threads")
                let dy = randomTensor(y.shape, seed: UInt64(k + 300))
                let dx = Tensor(uninitialized: x.shape), dw = Tensor(uninitialized: w.shape), db = Tensor(uninitialized: b.shape)
                ConvKernels.backward(x: x.data, weight: w.data, dy: dy.data, dx: dx.data, dWeight: dw.data, dBias: db.data, g)
                let ref = Reference.conv2dBackward(x: x.scalars, weight: w.scalars, dy: dy.scalars, g)
                assertClose(dx.scalars, ref.dx, atol: 1e-4, "conv dx case \(k)")
                assertClose(dw.scalars, ref.dWeight, atol: 1e-4, "conv dw case \(k)")
                assertClose(db.scalars, ref.dBias, atol: 1e-4, "conv db case \(k)")
            }
        }
    }

    func testPoolingMatchesNaiveTwin() {
        // (h, w, kernel or nil for adaptive, stride, padding, outH, outW)
        let cases: [(Int, Int, Int?, Int, Int, Int, Int)] = [
            (6, 6, 2, 2, 0, 3, 3), (7, 5, 3, 2, 1, 4, 3), (9, 9, 3, 3, 0, 3, 3), (5, 7, nil, 1, 0, 3, 2),
            (8, 8, nil, 1, 0, 3, 3), (4, 6, nil, 1, 0, 4, 6), (7, 7, 2, 1, 1, 8, 8), (7, 5, 2, 2, 0, 3, 2),
        ]
        for threads in [1, 2] {
            Parallel.threads = threads
            for (k, c) in cases.enumerated() {
                let x = randomTensor([3, 2, c.0, c.1], seed: UInt64(k))
                for isMax in [true, false] {
                    let y: Tensor
                    if let kernel = c.2 {
                        y =
                            isMax
                            ? maxPool2d(x, kernel: kernel, stride: c.3, padding: c.4)
                            : avgPool2d(x, kernel: kernel, stride: c.3, padding: c.4)
                    } else {
                        y = isMax ? adaptiveMaxPool2d(x, outH: c.5, outW: c.6) : adaptiveAvgPool2d(x, outH: c.5, outW: c.6)
                    }
                    XCTAssertEqual(y.shape, [3, 2, c.5, c.6], "pool case \(k)")
                    let dy = randomTensor(y.shape, seed: 99)
                    let ref = Reference.pool(
                        x: x.scalars, planes: 6, h: c.0, w: c.1, oh: c.5, ow: c.6, kernel: c.2, stride: c.3,
                        padding: c.4, max: isMax, dy: dy.scalars)
                    assertClose(y.scalars, ref.y, "pool forward case \(k) max=\(isMax)")
                    x.requiresGrad = true
                    x.grad = nil
                    let again =
                        c.2.map { kernel in
                            isMax
                                ? maxPool2d(x, kernel: kernel, stride: c.3, padding: c.4)
                                : avgPool2d(x, kernel: kernel, stride: c.3, padding: c.4)
                        }
                        ?? (isMax ? adaptiveMaxPool2d(x, outH: c.5, outW: c.6) : adaptiveAvgPool2d(x, outH: c.5, outW: c.6))
                    again.backward(seed: dy)
                    assertClose(x.grad!.scalars, ref.dx, "pool backward case \(k) max=\(isMax)")
                    x.requiresGrad = false
                }
            }
        }
    }

    func testBatchNormMatchesNaiveTwin() {
        for threads in [1, 2] {
            Parallel.threads = threads
            for (k, shape) in [[4, 3, 5, 7], [2, 5, 1, 1], [3, 2, 33, 3]].enumerated() {
                for relu in [false, true] {
                    let c = shape[1], hw = shape[2] * shape[3]
                    let x = randomTensor(shape, seed: UInt64(k), std: 3)
                    for i in 0..<x.count { x.data[i] += 1.5 }
                    let gamma = randomTensor([c], seed: 5), beta = randomTensor([c], seed: 6)
                    let dy = randomTensor(shape, seed: 7)
                    x.requiresGrad = true; gamma.requiresGrad = true; beta.requiresGrad = true
                    let state = BatchNormState(weight: gamma, bias: beta, runningMean: .zeros([c]), runningVar: .ones([c]))
                    let y = batchNorm(x, state, training: true, relu: relu)
                    y.backward(seed: dy)
                    let ref = Reference.batchNorm(
                        x: x.scalars, gamma: gamma.scalars, beta: beta.scalars, dy: dy.scalars,
                        n: shape[0], c: c, hw: hw, eps: 1e-5, relu: relu)
                    assertClose(y.scalars, ref.y, atol: 1e-4, "bn forward \(shape) relu=\(relu)")
                    assertClose(x.grad!.scalars, ref.dx, atol: 1e-4, rtol: 1e-3, "bn dx \(shape) relu=\(relu)")
                    assertClose(gamma.grad!.scalars, ref.dGamma, atol: 1e-3, rtol: 1e-3, "bn dgamma")
                    assertClose(beta.grad!.scalars, ref.dBeta, atol: 1e-3, rtol: 1e-3, "bn dbeta")
                }
            }
        }
    }

    func testBatchNormRunningStatisticsFollowPyTorch() {
        // Running mean ← 0.9·old + 0.1·batch mean; running var uses the unbiased batch variance.
        let x = Tensor(shape: [4, 1, 1, 1], scalars: [1, 2, 3, 6])
        let state = BatchNormState(weight: .ones([1]), bias: .zeros([1]), runningMean: .zeros([1]), runningVar: .ones([1]))
        _ = batchNorm(x, state, training: true)
        XCTAssertEqual(state.runningMean.item, 0.3, accuracy: 1e-6)
        XCTAssertEqual(state.runningVar.item, 0.9 + 0.1 * (14.0 / 3.0), accuracy: 1e-5)
        let y = batchNorm(x, state, training: false)
        XCTAssertEqual(y.data[0], (1 - 0.3) / (state.runningVar.item + 1e-5).squareRoot(), accuracy: 1e-5)
    }
}
