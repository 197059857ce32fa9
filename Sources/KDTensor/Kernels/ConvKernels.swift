// ConvKernels: 2-D convolution lowered to GEMM one image at a time. Each thread unfolds its images
// into a private im2col buffer small enough to stay in cache, so the products run near GEMM speed
// instead of streaming one batch-wide matrix through memory. Weight gradients are summed per thread.

/// Forward and backward convolution on raw NCHW buffers (weights `[Cout, Cin, kh, kw]`).
public enum ConvKernels {
    /// y `[N, Cout, Ho, Wo]` = conv(x `[N, Cin, H, W]`, w) + bias.
    public static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               y: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
        let (k, hw, cout) = (g.patchSize, g.outPixels, g.outChannels)
        let parts = Parallel.partCount(g.batch)
        let scratch = g.isPointwise ? nil : TensorStorage(uninitializedCount: parts * k * hw)
        _ = Parallel.indexedChunks(g.batch) { part, images in
            let col = scratch.map { $0.base + part * k * hw }
            for n in images {
                let out = y + n * g.outImageSize
                var beta: Float = 0
                if let bias {
                    for c in 0..<cout { (out + c * hw).update(repeating: bias[c], count: hw) }
                    beta = 1
                }
                let operand: UnsafePointer<Float>
                if let col {
                    Im2col.unfold(x + n * g.inImageSize, g, into: col)
                    operand = UnsafePointer(col)
                } else {
                    operand = x + n * g.inImageSize
                }
                Gemm.sgemm(m: cout, n: hw, k: k, a: weight, lda: k, b: operand, ldb: hw, beta: beta, c: out, ldc: hw)
            }
        }
        withExtendedLifetime(scratch) {}
    }

    /// Gradients of a convolution. Any of `dx`, `dWeight`, `dBias` may be nil (not needed).
    /// `dWeight`/`dBias` are overwritten (not accumulated); `dx` is overwritten.
    public static func backward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
                                dBias: UnsafeMutablePointer<Float>?, _ g: ConvGeometry) {
        let (k, hw, cout) = (g.patchSize, g.outPixels, g.outChannels)
        let parts = Parallel.partCount(g.batch)
        // A stride-1 convolution's input gradient is itself a convolution of dy with the flipped,
        // transposed kernel: one more im2col + GEMM instead of a GEMM into a scatter-added matrix.
        let flipped = dx != nil && !g.isPointwise ? FlippedConvolution(weight: weight, g) : nil
        let colSize = g.isPointwise ? 0 : k * hw
        let dcolSize = g.isPointwise ? 0 : (flipped?.geometry.patchSize ?? k) * (flipped?.geometry.outPixels ?? hw)
        // Per thread: im2col buffer, dcol buffer, partial dW [Cout, k], partial dBias [Cout].
        let perThread = colSize + dcolSize + cout * k + cout
        let scratch = TensorStorage(uninitializedCount: parts * perThread)
        let partialsOffset = colSize + dcolSize
        _ = Parallel.indexedChunks(g.batch) { part, images in
            let base = scratch.base + part * perThread
            let col = base, dcol = base + colSize, dwPart = base + partialsOffset, dbPart = dwPart + cout * k
            dwPart.update(repeating: 0, count: cout * k + cout)
            for n in images {
                let dyN = dy + n * g.outImageSize
                let xN = x + n * g.inImageSize
                if dWeight != nil {
                    let operand: UnsafePointer<Float>
                    if g.isPointwise { operand = xN } else { Im2col.unfold(xN, g, into: col); operand = UnsafePointer(col) }
                    // dW += dy[n] [Cout, HW] · colᵀ [HW, k]
                    Gemm.sgemm(transB: true, m: cout, n: k, k: hw, a: dyN, lda: hw, b: operand, ldb: hw,
                               beta: 1, c: dwPart, ldc: k)
                }
                if dBias != nil {
                    for c in 0..<cout { dbPart[c] += Vector.sum(dyN + c * hw, hw) }
                }
                guard let dx else { continue }
                let dxN = dx + n * g.inImageSize
                if g.isPointwise {
                    Gemm.sgemm(transA: true, m: k, n: hw, k: cout, a: weight, lda: k, b: dyN, ldb: hw, c: dxN, ldc: hw)
                } else if let flipped {
                    let fg = flipped.geometry
                    Im2col.unfold(dyN, fg, into: dcol)
                    Gemm.sgemm(m: fg.outChannels, n: fg.outPixels, k: fg.patchSize, a: flipped.weights.base, lda: fg.patchSize,
                               b: dcol, ldb: fg.outPixels, c: dxN, ldc: fg.outPixels)
                } else {
                    // dcol [k, HW] = Wᵀ [k, Cout] · dy[n] [Cout, HW], folded back into the image.
                    Gemm.sgemm(transA: true, m: k, n: hw, k: cout, a: weight, lda: k, b: dyN, ldb: hw, c: dcol, ldc: hw)
                    dxN.update(repeating: 0, count: g.inImageSize)
                    Im2col.fold(dcol, g, into: dxN)
                }
            }
        }
        withExtendedLifetime(flipped) {}
        // Sum the per-thread partials in a fixed order (repeatable results).
        if let dWeight {
            dWeight.update(from: scratch.base + partialsOffset, count: cout * k)
            for p in 1..<parts { Vector.add(scratch.base + p * perThread + partialsOffset, into: dWeight, cout * k) }
        }
        if let dBias {
            dBias.update(from: scratch.base + partialsOffset + cout * k, count: cout)
            for p in 1..<parts { Vector.add(scratch.base + p * perThread + partialsOffset + cout * k, into: dBias, cout) }
        }
    }
}

/// The input-gradient convolution of a stride-1 convolution: weights `[Cin, Cout, kh, kw]` flipped in
/// space, applied to dy with padding `k − 1 − p`. nil when the shape does not allow it.
final class FlippedConvolution {
    let weights: TensorStorage
    let geometry: ConvGeometry

    init?(weight: UnsafePointer<Float>, _ g: ConvGeometry) {
        guard g.stride == 1, g.kernelH == g.kernelW, g.padding <= g.kernelH - 1 else { return nil }
        let (kh, kw, cin, cout) = (g.kernelH, g.kernelW, g.inChannels, g.outChannels)
        geometry = ConvGeometry(batch: g.batch, inChannels: cout, height: g.outHeight, width: g.outWidth, outChannels: cin,
                                kernelH: kh, kernelW: kw, stride: 1, padding: kh - 1 - g.padding)
        weights = TensorStorage(uninitializedCount: cin * cout * kh * kw)
        let w = weights.base
        for o in 0..<cout { for c in 0..<cin { for i in 0..<kh { for j in 0..<kw {
            w[((c * cout + o) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] = weight[((o * cin + c) * kh + i) * kw + j]
        }}}}
    }
}
