// ConvBackward: gradients of ConvKernels' convolution, over the same groups of images: dW from the
// unfolded input, dx as a convolution of dy with the flipped kernel (stride 1) or by folding
// Wᵀ·dy back into the image (strided), db from row sums.

extension ConvKernels {
    /// Gradients of a convolution. Any of `dx`, `dWeight`, `dBias` may be nil (not needed); each given
    /// one is overwritten.
    public static func backward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>?, _ g: ConvGeometry
    ) {
        var (dx, dWeight) = (dx, dWeight)
        if let grad = dx, choice(.inputGradient, g) == .winograd {
            WinogradConv.inputGradient(weight: weight, dy: dy, dx: grad, g)
            dx = nil
        }
        if let grad = dWeight, choice(.weightGradient, g) == .winograd {
            WinogradConv.weightGradient(x: x, dy: dy, dWeight: grad, g)
            dWeight = nil
        }
        if dx == nil && dWeight == nil {
            if let dBias { biasGradient(dy: dy, dBias: dBias, g) }
            return
        }
        if choice(dWeight != nil ? .weightGradient : .inputGradient, g) == .direct,
            let flipped = FlippedConvolution(weight: weight, g)
        {
            directBackward(x: x, weight: weight, dy: dy, dx: dx, dWeight: dWeight, dBias: dBias, g, flipped: flipped)
            return
        }
        let (k, hw, cout, cin) = (g.patchSize, g.outPixels, g.outChannels, g.inChannels)
        let group = groupSize(g), parts = Parallel.partCount(g.batch)
        // A stride-1 convolution's input gradient is a convolution of dy with the flipped, transposed kernel.
        let flipped = dx != nil && !g.isPointwise ? FlippedConvolution(weight: weight, g) : nil
        let inPixels = g.height * g.width
        let colSize = g.isPointwise ? 0 : k * hw * group
        let dcolSize = g.isPointwise ? 0 : (flipped.map { $0.geometry.patchSize * inPixels } ?? k * hw) * group
        let dyGroupSize = group > 1 ? cout * hw * group : 0
        let dxGroupSize = group > 1 ? cin * inPixels * group : 0
        let perThread = colSize + dcolSize + dyGroupSize + dxGroupSize + cout * k + cout
        let scratch = TensorStorage(uninitializedCount: parts * perThread)
        let partials = colSize + dcolSize + dyGroupSize + dxGroupSize
        _ = Parallel.indexedChunks(g.batch) { part, images in
            let base = scratch.base + part * perThread
            let col = base, dcol = col + colSize, dyGroup = dcol + dcolSize, dxGroup = dyGroup + dyGroupSize
            let dwPart = base + partials, dbPart = dwPart + cout * k
            dwPart.update(repeating: 0, count: cout * k + cout)
            var start = images.lowerBound
            while start < images.upperBound {
                let n = Swift.min(group, images.upperBound - start), pitch = n * hw
                let xN = x + start * g.inImageSize
                // dy of the group as [Cout, n·HW].
                let dyG: UnsafePointer<Float>
                if n == 1 {
                    dyG = dy + start * g.outImageSize
                } else {
                    gather(dy + start * g.outImageSize, into: dyGroup, channels: cout, pixels: hw, images: n)
                    dyG = UnsafePointer(dyGroup)
                }
                if dBias != nil { for c in 0..<cout { dbPart[c] += Vector.sum(dyG + c * pitch, pitch) } }
                if dWeight != nil {
                    let operand: UnsafePointer<Float>
                    if g.isPointwise {
                        operand = xN
                    } else {
                        for i in 0..<n { Im2col.unfold(xN + i * g.inImageSize, g, into: col + i * hw, pitch: pitch) }
                        operand = UnsafePointer(col)
                    }
                    // dW += dy [Cout, n·HW] · colᵀ [n·HW, k]
                    Gemm.sgemm(
                        transB: true, m: cout, n: k, k: pitch, a: dyG, lda: pitch, b: operand, ldb: pitch,
                        beta: 1, c: dwPart, ldc: k)
                }
                if let dx {
                    let dxN = dx + start * g.inImageSize
                    if g.isPointwise {
                        Gemm.sgemm(transA: true, m: k, n: hw, k: cout, a: weight, lda: k, b: dyG, ldb: hw, c: dxN, ldc: hw)
                    } else if let flipped {
                        let fg = flipped.geometry, fpitch = n * fg.outPixels
                        for i in 0..<n {
                            Im2col.unfold(dy + (start + i) * g.outImageSize, fg, into: dcol + i * fg.outPixels, pitch: fpitch)
                        }
                        let out = n == 1 ? dxN : dxGroup
                        Gemm.sgemm(
                            m: cin, n: fpitch, k: fg.patchSize, a: flipped.weights.base, lda: fg.patchSize,
                            b: dcol, ldb: fpitch, c: out, ldc: fpitch)
                        if n > 1 { scatter(dxGroup, into: dxN, channels: cin, pixels: fg.outPixels, images: n) }
                    } else {
                        // dcol [k, n·HW] = Wᵀ [k, Cout] · dy [Cout, n·HW], folded back into each image.
                        Gemm.sgemm(
                            transA: true, m: k, n: pitch, k: cout, a: weight, lda: k, b: dyG, ldb: pitch, c: dcol, ldc: pitch)
                        dxN.update(repeating: 0, count: n * g.inImageSize)
                        for i in 0..<n { Im2col.fold(dcol + i * hw, g, into: dxN + i * g.inImageSize, pitch: pitch) }
                    }
                }
                start += n
            }
        }
        withExtendedLifetime(flipped) {}
        // Sum the per-thread partials in a fixed order (repeatable results).
        if let dWeight {
            dWeight.update(from: scratch.base + partials, count: cout * k)
            for p in 1..<parts { Vector.add(scratch.base + p * perThread + partials, into: dWeight, cout * k) }
        }
        if let dBias {
            dBias.update(from: scratch.base + partials + cout * k, count: cout)
            for p in 1..<parts { Vector.add(scratch.base + p * perThread + partials + cout * k, into: dBias, cout) }
        }
    }
}

extension ConvKernels {
    /// db `[Cout]` = Σ over images and pixels of dy.
    static func biasGradient(dy: UnsafePointer<Float>, dBias: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
        dBias.update(repeating: 0, count: g.outChannels)
        for n in 0..<g.batch {
            for c in 0..<g.outChannels { dBias[c] += Vector.sum(dy + n * g.outImageSize + c * g.outPixels, g.outPixels) }
        }
    }
}

/// The input-gradient convolution of a stride-1 convolution: weights `[Cin, Cout, kh, kw]` flipped in
/// space, applied to dy with padding `k − 1 − p`. nil unless the convolution keeps the spatial size.
final class FlippedConvolution {
    let weights: TensorStorage
    let geometry: ConvGeometry

    /// The input-gradient convolution's geometry, or nil unless `g` keeps the spatial size.
    static func geometry(_ g: ConvGeometry) -> ConvGeometry? {
        // Only "same" convolutions: for a valid one, dy would be unfolded with wide zero borders.
        guard g.stride == 1, g.kernelH == g.kernelW, g.outHeight == g.height, g.outWidth == g.width else { return nil }
        return ConvGeometry(
            batch: g.batch, inChannels: g.outChannels, height: g.outHeight, width: g.outWidth, outChannels: g.inChannels,
            kernelH: g.kernelH, kernelW: g.kernelW, stride: 1, padding: g.kernelH - 1 - g.padding)
    }

    init?(weight: UnsafePointer<Float>, _ g: ConvGeometry) {
        guard let fg = Self.geometry(g) else { return nil }
        let (kh, kw, cin, cout) = (g.kernelH, g.kernelW, g.inChannels, g.outChannels)
        geometry = fg
        weights = TensorStorage(uninitializedCount: cin * cout * kh * kw)
        let w = weights.base
        for o in 0..<cout {
            for c in 0..<cin {
                for i in 0..<kh {
                    for j in 0..<kw {
                        w[((c * cout + o) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] = weight[((o * cin + c) * kh + i) * kw + j]
                    }
                }
            }
        }
    }
}
