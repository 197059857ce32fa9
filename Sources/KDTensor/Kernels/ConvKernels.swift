// ConvKernels: 2-D convolution lowered to GEMM over small groups of images. Each thread unfolds a
// group into a private im2col buffer sized to stay in cache (one image for large maps, several for
// small ones so each GEMM has enough columns), so products run near GEMM speed instead of streaming
// one batch-wide matrix through memory. Weight gradients are summed per thread in a fixed order.

/// Forward and backward convolution on raw NCHW buffers (weights `[Cout, Cin, kh, kw]`).
public enum ConvKernels {
    /// Images unfolded side by side per GEMM: enough columns to amortise a call, few enough to stay in cache.
    static func groupSize(_ g: ConvGeometry) -> Int {
        if g.isPointwise { return 1 }
        let hw = g.outPixels
        return Swift.max(1, Swift.min(2048 / hw, 262_144 / Swift.max(1, g.patchSize * hw)))
    }

    /// y `[N, Cout, Ho, Wo]` = conv(x `[N, Cin, H, W]`, w) + bias.
    public static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, _ g: ConvGeometry
    ) {
        switch choice(.forward, g) {
        case .direct:
            direct(x: x, packed: DirectConv.packWeights(weight, g), bias: bias, y: y, g)
            return
        case .winograd:
            WinogradConv.forward(x: x, weight: weight, bias: bias, y: y, g)
            return
        default: break
        }
        let (k, hw, cout) = (g.patchSize, g.outPixels, g.outChannels)
        let group = groupSize(g), parts = Parallel.partCount(g.batch)
        let colSize = g.isPointwise ? 0 : k * hw * group, outSize = group > 1 ? cout * hw * group : 0
        let scratch = TensorStorage(uninitializedCount: Swift.max(1, parts * (colSize + outSize)))
        _ = Parallel.indexedChunks(g.batch) { part, images in
            let col = scratch.base + part * (colSize + outSize), staged = col + colSize
            var start = images.lowerBound
            while start < images.upperBound {
                let n = Swift.min(group, images.upperBound - start), pitch = n * hw
                if g.isPointwise {
                    let out = y + start * g.outImageSize
                    fillBias(bias, out, cout, hw, pitch: hw)
                    Gemm.sgemm(
                        m: cout, n: hw, k: k, a: weight, lda: k, b: x + start * g.inImageSize, ldb: hw,
                        beta: bias == nil ? 0 : 1, c: out, ldc: hw)
                } else {
                    for i in 0..<n { Im2col.unfold(x + (start + i) * g.inImageSize, g, into: col + i * hw, pitch: pitch) }
                    // One image writes straight into y; a group goes through [Cout, n·HW] and is scattered.
                    let out = n == 1 ? y + start * g.outImageSize : staged
                    fillBias(bias, out, cout, pitch, pitch: pitch)
                    Gemm.sgemm(
                        m: cout, n: pitch, k: k, a: weight, lda: k, b: col, ldb: pitch, beta: bias == nil ? 0 : 1,
                        c: out, ldc: pitch)
                    if n > 1 { scatter(staged, into: y + start * g.outImageSize, channels: cout, pixels: hw, images: n) }
                }
                start += n
            }
        }
        withExtendedLifetime(scratch) {}
    }

    /// Every image through DirectConv, images split over threads.
    static func direct(
        x: UnsafePointer<Float>, packed: TensorStorage, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
        _ g: ConvGeometry
    ) {
        let size = DirectConv.scratchSize(g), parts = Parallel.partCount(g.batch)
        let scratch = TensorStorage(uninitializedCount: parts * size)
        _ = Parallel.indexedChunks(g.batch) { part, images in
            for n in images {
                DirectConv.image(
                    x + n * g.inImageSize, packed: packed.base, bias: bias, y: y + n * g.outImageSize, g,
                    scratch: scratch.base + part * size)
            }
        }
        withExtendedLifetime((scratch, packed)) {}
    }

    @inline(__always)
    static func fillBias(_ bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>, _ cout: Int, _ count: Int, pitch: Int)
    {
        guard let bias else { return }
        for c in 0..<cout { (out + c * pitch).update(repeating: bias[c], count: count) }
    }

    /// `[C, n·P]` (image-major within each channel row) → n images `[C, P]`.
    @inline(__always)
    static func scatter(
        _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, channels: Int, pixels: Int, images: Int
    ) {
        for i in 0..<images {
            for c in 0..<channels {
                Vector.copy(src + c * images * pixels + i * pixels, to: dst + (i * channels + c) * pixels, pixels)
            }
        }
    }

    /// n images `[C, P]` → `[C, n·P]`.
    @inline(__always)
    static func gather(
        _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, channels: Int, pixels: Int, images: Int
    ) {
        for i in 0..<images {
            for c in 0..<channels {
                Vector.copy(src + (i * channels + c) * pixels, to: dst + c * images * pixels + i * pixels, pixels)
            }
        }
    }
}
