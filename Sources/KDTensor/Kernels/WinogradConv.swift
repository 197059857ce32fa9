// WinogradConv: 3x3 stride-1 convolutions by Winograd F(2x2,3x3) (Lavin & Gray, 2016): each 2x2 output
// tile costs 16 multiplies per (input, output) channel pair instead of 36. Groups of images are
// transformed into a per-thread buffer `[16, C, tiles]`, multiplied by the transformed filter with 16
// OpenBLAS GEMMs `[K, C]·[C, tiles]`, and transformed back. The input gradient is the same algorithm on
// dy with the flipped, transposed filter; the weight gradient runs it in the other direction.

/// Winograd F(2x2,3x3) forward pass, input gradient and weight gradient on raw NCHW buffers.
enum WinogradConv {
    /// Whether the algorithm can run `g`: a 3x3 kernel, stride 1, padding at most 2.
    static func applies(_ g: ConvGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.stride == 1 && g.padding <= 2 && g.outHeight > 0 && g.outWidth > 0
    }

    /// Images per group: about 512 tile columns per GEMM, with the group's transformed input and output
    /// (16·(C + K) floats per tile) within about 2 MB.
    static func groupSize(tiles: Int, channels: Int, batch: Int) -> Int {
        let byColumns = Swift.max(1, 512 / tiles), byCache = Swift.max(1, 524_288 / (16 * channels * tiles))
        return Swift.min(batch, byColumns, byCache)
    }

    /// y `[N, K, Ho, Wo]` = conv(x `[N, C, H, W]`, w `[K, C, 3, 3]`) + bias.
    static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, _ g: ConvGeometry
    ) {
        let (c, k) = (g.inChannels, g.outChannels)
        let u = TensorStorage(uninitializedCount: 16 * k * c)
        WinogradTransforms.filter(weight, k: k, c: c, flipped: false, into: u.base)
        let map = Map(batch: g.batch, channels: c, height: g.height, width: g.width, padding: g.padding)
        convolve(map, x, u: u.base, outChannels: k, bias: bias, y: y, outH: g.outHeight, outW: g.outWidth)
        withExtendedLifetime(u) {}
    }

    /// dx `[N, C, H, W]` of a convolution: dy convolved with the flipped, transposed kernel, padding 2 − p.
    static func inputGradient(
        weight: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry
    ) {
        let (c, k) = (g.inChannels, g.outChannels)
        let u = TensorStorage(uninitializedCount: 16 * k * c)
        WinogradTransforms.filter(weight, k: c, c: k, flipped: true, into: u.base)
        let map = Map(batch: g.batch, channels: k, height: g.outHeight, width: g.outWidth, padding: 2 - g.padding)
        convolve(map, dy, u: u.base, outChannels: c, bias: nil, y: dx, outH: g.height, outW: g.width)
        withExtendedLifetime(u) {}
    }

    /// A batch of input maps and the padding the convolution reads them with.
    struct Map {
        let batch, channels, height, width, padding: Int
        var size: Int { channels * height * width }
    }

    /// y `[N, K, outH, outW]` = Winograd convolution of `x` (`map`) with transformed filter u `[16, K, C]`.
    static func convolve(
        _ map: Map, _ x: UnsafePointer<Float>, u: UnsafePointer<Float>, outChannels k: Int, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, outH: Int, outW: Int
    ) {
        let tiling = WinogradTransforms.Tiling(outH: outH, outW: outW), tiles = tiling.count, c = map.channels
        let group = groupSize(tiles: tiles, channels: c + k, batch: map.batch), pitch = group * tiles + 8
        let vSize = 16 * c * pitch, mSize = 16 * k * pitch + 8, planeSize = tiling.planeHeight * tiling.planeWidth
        let perThread = vSize + mSize + planeSize, parts = Parallel.partCount(map.batch)
        let scratch = TensorStorage(uninitializedCount: parts * perThread)
        _ = Parallel.indexedChunks(map.batch) { part, images in
            let v = scratch.base + part * perThread, m = v + vSize, plane = m + mSize
            plane.update(repeating: 0, count: planeSize)
            var start = images.lowerBound
            while start < images.upperBound {
                let n = Swift.min(group, images.upperBound - start)
                for i in 0..<n {
                    for ci in 0..<c {
                        let src = x + (start + i) * map.size + ci * map.height * map.width
                        WinogradTransforms.place(src, h: map.height, w: map.width, pad: map.padding, tiling, into: plane)
                        WinogradTransforms.input(plane, tiling, into: v + ci * pitch + i * tiles, ePitch: c * pitch)
                    }
                }
                // M[e] [K, n·tiles] = U[e] [K, C] · V[e] [C, n·tiles]
                for e in 0..<16 {
                    Gemm.sgemm(
                        m: k, n: n * tiles, k: c, a: u + e * k * c, lda: c, b: v + e * c * pitch, ldb: pitch,
                        c: m + e * k * pitch, ldc: pitch)
                }
                for i in 0..<n {
                    for o in 0..<k {
                        WinogradTransforms.output(
                            m + o * pitch + i * tiles, ePitch: k * pitch, tiling, bias: bias?[o] ?? 0,
                            into: y + ((start + i) * k + o) * outH * outW, outH: outH, outW: outW)
                    }
                }
                start += n
            }
        }
        withExtendedLifetime(scratch) {}
    }
}
