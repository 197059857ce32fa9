// WinogradWeightGradient: dW of a 3x3 stride-1 convolution by F(2x2,3x3) run backwards. Since
// y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A per tile, dg = Gᵀ[Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ d B)]G: 16 GEMMs
// dU[e] += Mdy[e] [K, tiles] · V[e]ᵀ [tiles, C] per group, summed per thread, then one Gᵀ·G per weight.

extension WinogradConv {
    /// dW `[K, C, 3, 3]` of a convolution from x `[N, C, H, W]` and dy `[N, K, Ho, Wo]` (overwritten).
    static func weightGradient(
        x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dWeight: UnsafeMutablePointer<Float>, _ g: ConvGeometry
    ) {
        let (c, k, outH, outW) = (g.inChannels, g.outChannels, g.outHeight, g.outWidth)
        let tiling = WinogradTransforms.Tiling(outH: outH, outW: outW), tiles = tiling.count
        let group = groupSize(tiles: tiles, channels: c + k, batch: g.batch), pitch = group * tiles + 8
        let vSize = 16 * c * pitch, mSize = 16 * k * pitch, duSize = 16 * k * c
        let planeSize = tiling.planeHeight * tiling.planeWidth, dyPlaneSize = 2 * tiling.rows * 2 * tiling.paddedCols
        let perThread = vSize + mSize + planeSize + dyPlaneSize + duSize, parts = Parallel.partCount(g.batch)
        let partials = vSize + mSize + planeSize + dyPlaneSize
        let scratch = TensorStorage(uninitializedCount: parts * perThread)
        _ = Parallel.indexedChunks(g.batch) { part, images in
            let v = scratch.base + part * perThread, m = v + vSize, plane = m + mSize, dyPlane = plane + planeSize
            let du = v + partials
            plane.update(repeating: 0, count: planeSize + dyPlaneSize + duSize)
            var start = images.lowerBound
            while start < images.upperBound {
                let n = Swift.min(group, images.upperBound - start)
                for i in 0..<n {
                    for ci in 0..<c {
                        let src = x + (start + i) * g.inImageSize + ci * g.height * g.width
                        WinogradTransforms.place(src, h: g.height, w: g.width, pad: g.padding, tiling, into: plane)
                        WinogradTransforms.input(plane, tiling, into: v + ci * pitch + i * tiles, ePitch: c * pitch)
                    }
                    for o in 0..<k {
                        let src = dy + (start + i) * g.outImageSize + o * outH * outW
                        for r in 0..<outH { Vector.copy(src + r * outW, to: dyPlane + r * 2 * tiling.paddedCols, outW) }
                        WinogradTransforms.outputGradient(dyPlane, tiling, into: m + o * pitch + i * tiles, ePitch: k * pitch)
                    }
                }
                // dU[e] [K, C] += Mdy[e] [K, n·tiles] · V[e]ᵀ [n·tiles, C]
                for e in 0..<16 {
                    Gemm.sgemm(
                        transB: true, m: k, n: c, k: n * tiles, a: m + e * k * pitch, lda: pitch, b: v + e * c * pitch,
                        ldb: pitch, beta: 1, c: du + e * k * c, ldc: c)
                }
                start += n
            }
        }
        // Sum the per-thread partials in a fixed order (repeatable results), then transform back.
        let du = scratch.base + partials
        for p in 1..<parts { Vector.add(scratch.base + p * perThread + partials, into: du, duSize) }
        WinogradTransforms.filterGradient(du, k: k, c: c, into: dWeight)
        withExtendedLifetime(scratch) {}
    }
}
