// DirectConv: "same" stride-1 convolutions (3x3 pad 1, 5x5 pad 2, ...) computed directly, without
// im2col or GEMM packing: the image is copied once into a zero-padded buffer, output positions run
// over the padded width as one flat line, and a register block of 4 output channels x 24 positions
// accumulates with FMAs over (input channel, tap). Used for the forward pass and, with the flipped
// kernel, for the input gradient.

/// Direct convolution for stride-1 convolutions that keep the spatial size.
enum DirectConv {
    static let channelBlock = 4
    static let positionBlock = 24

    /// Whether a forward pass (or an input gradient) over `g` runs here: stride 1, odd square kernel,
    /// padding (k−1)/2, at least 2 output channels and 8x8 maps or larger (measured: 1.5x faster than
    /// grouped GEMMs for 64 channels on 8x8, slower on 7x7, where the padded line wastes a third).
    static func applies(_ g: ConvGeometry) -> Bool {
        g.stride == 1 && g.kernelH == g.kernelW && g.kernelH % 2 == 1 && g.kernelH > 1 && g.padding == (g.kernelH - 1) / 2
            && g.outChannels >= 2 && g.outPixels >= 64
    }

    /// Whether the weight gradient runs here too: from 12x12 maps up (its reductions run along the whole
    /// line, which on smaller maps is too short to pay for the block setup).
    static func appliesToWeightGradient(_ g: ConvGeometry) -> Bool { applies(g) && g.outPixels >= 144 }

    /// Weights `[Cout, Cin, k, k]` rearranged to `[Cout/4, Cin, k·k, 4]` (zero-padded to a multiple of 4 channels).
    static func packWeights(_ w: UnsafePointer<Float>, _ g: ConvGeometry) -> TensorStorage {
        let (cout, cin, taps) = (g.outChannels, g.inChannels, g.kernelH * g.kernelW)
        let blocks = (cout + channelBlock - 1) / channelBlock
        let packed = TensorStorage(uninitializedCount: blocks * cin * taps * channelBlock)
        let p = packed.base
        for b in 0..<blocks {
            for c in 0..<cin {
                for t in 0..<taps {
                    for o in 0..<channelBlock {
                        let co = b * channelBlock + o
                        p[((b * cin + c) * taps + t) * channelBlock + o] = co < cout ? w[(co * cin + c) * taps + t] : 0
                    }
                }
            }
        }
        return packed
    }

    /// Floats of a zero-padded image `[Cin, H+2p, W+2p]` plus a tail margin for the last block's reads.
    static func paddedSize(_ g: ConvGeometry) -> Int {
        let p = g.padding, wp = g.width + 2 * p
        return g.inChannels * (g.height + 2 * p) * wp + wp * 2 * p + positionBlock + 8
    }

    /// Floats of per-thread scratch for `image`: the padded image and every output channel's line.
    static func scratchSize(_ g: ConvGeometry) -> Int { paddedSize(g) + stageSize(g) }

    /// Floats of the output lines (all channel blocks, padded width) `convolvePadded` stages through.
    static func stageSize(_ g: ConvGeometry) -> Int {
        let blocks = (g.outChannels + channelBlock - 1) / channelBlock
        return blocks * channelBlock * (g.height * (g.width + 2 * g.padding) + positionBlock)
    }

    /// Copies image `[C, H, W]` into `padded` (`paddedSize` floats) with zero borders.
    static func pad(_ x: UnsafePointer<Float>, _ g: ConvGeometry, into padded: UnsafeMutablePointer<Float>) {
        let (h, w, p) = (g.height, g.width, g.padding)
        let wp = w + 2 * p, planeP = (h + 2 * p) * wp
        for c in 0..<g.inChannels {
            let plane = padded + c * planeP
            // Top border, then each row with its left and right borders, then the bottom border.
            Vector.zero(plane, p * wp + p)
            for r in 0..<h {
                let row = plane + (r + p) * wp + p
                Vector.copy(x + (c * h + r) * w, to: row, w)
                Vector.zero(row + w, 2 * p)
            }
            Vector.zero(plane + (h + p) * wp + p, p * wp - p)
        }
        Vector.zero(padded + g.inChannels * planeP, paddedSize(g) - g.inChannels * planeP)
    }

    /// y[n] `[Cout, H, W]` = conv(x[n]) (+ bias) for one image, with `packed` weights and `scratch` of `scratchSize`.
    static func image(
        _ x: UnsafePointer<Float>, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, _ g: ConvGeometry, scratch: UnsafeMutablePointer<Float>
    ) {
        pad(x, g, into: scratch)
        convolvePadded(scratch, packed: packed, bias: bias, y: y, g, stage: scratch + paddedSize(g))
    }

    /// y `[Cout, H, W]` = conv of an already padded image; `stage` holds `stageSize` floats.
    static func convolvePadded(
        _ padded: UnsafePointer<Float>, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, _ g: ConvGeometry, stage: UnsafeMutablePointer<Float>
    ) {
        let (h, w, p, k) = (g.height, g.width, g.padding, g.kernelH)
        let wp = w + 2 * p, planeP = (h + 2 * p) * wp, cin = g.inChannels
        let lineLength = h * wp
        let stride = lineLength + positionBlock
        let taps = k * k
        var offsets = [Int](repeating: 0, count: taps)
        for i in 0..<k { for j in 0..<k { offsets[i * k + j] = i * wp + j } }
        let blocks = (g.outChannels + channelBlock - 1) / channelBlock
        offsets.withUnsafeBufferPointer { off in
            // Positions outer, channel blocks inner: the input rows of a position block stay in L1 across blocks.
            var q = 0
            while q < lineLength {
                for b in 0..<blocks {
                    block(
                        padded + q, planeStride: planeP, channels: cin, taps: taps, offsets: off.baseAddress!,
                        weights: packed + b * cin * taps * channelBlock, out: stage + b * channelBlock * stride + q,
                        outStride: stride)
                }
                q += positionBlock
            }
        }
        for co in 0..<g.outChannels {
            let src = stage + co * stride, dst = y + co * h * w
            let shift = bias?[co] ?? 0
            for r in 0..<h {
                let s = src + r * wp, d = dst + r * w
                if shift == 0 { Vector.copy(s, to: d, w) } else { for c in 0..<w { d[c] = s[c] + shift } }
            }
        }
    }

    /// out[o][0..<24] = Σ_c Σ_t w[c][t][o] · in[c·planeStride + offsets[t] + 0..<24] for a block of 4 channels.
    @inline(__always)
    static func block(
        _ input: UnsafePointer<Float>, planeStride: Int, channels: Int, taps: Int, offsets: UnsafePointer<Int>,
        weights: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, outStride: Int
    ) {
        typealias V = SIMD8<Float>
        var a00 = V(), a01 = V(), a02 = V(), a10 = V(), a11 = V(), a12 = V()
        var a20 = V(), a21 = V(), a22 = V(), a30 = V(), a31 = V(), a32 = V()
        var wp = weights
        for c in 0..<channels {
            let plane = UnsafeRawPointer(input + c * planeStride)
            for t in 0..<taps {
                let base = offsets[t] * 4
                let x0 = plane.loadUnaligned(fromByteOffset: base, as: V.self)
                let x1 = plane.loadUnaligned(fromByteOffset: base + 32, as: V.self)
                let x2 = plane.loadUnaligned(fromByteOffset: base + 64, as: V.self)
                let w0 = V(repeating: wp[0]), w1 = V(repeating: wp[1]), w2 = V(repeating: wp[2]), w3 = V(repeating: wp[3])
                a00.addProduct(w0, x0); a01.addProduct(w0, x1); a02.addProduct(w0, x2)
                a10.addProduct(w1, x0); a11.addProduct(w1, x1); a12.addProduct(w1, x2)
                a20.addProduct(w2, x0); a21.addProduct(w2, x1); a22.addProduct(w2, x2)
                a30.addProduct(w3, x0); a31.addProduct(w3, x1); a32.addProduct(w3, x2)
                wp += 4
            }
        }
        store((a00, a01, a02), (a10, a11, a12), (a20, a21, a22), (a30, a31, a32), out: out, outStride: outStride)
    }
}

extension DirectConv {
    /// Writes a 4 channels × 24 positions block of accumulators: row r to `out + r·outStride`.
    @inline(__always)
    static func store(
        _ r0: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), _ r1: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
        _ r2: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), _ r3: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
        out: UnsafeMutablePointer<Float>, outStride: Int
    ) {
        storeRow(r0, out)
        storeRow(r1, out + outStride)
        storeRow(r2, out + 2 * outStride)
        storeRow(r3, out + 3 * outStride)
    }

    @inline(__always)
    static func storeRow(_ row: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), _ out: UnsafeMutablePointer<Float>) {
        let o = UnsafeMutableRawPointer(out)
        o.storeBytes(of: row.0, toByteOffset: 0, as: SIMD8<Float>.self)
        o.storeBytes(of: row.1, toByteOffset: 32, as: SIMD8<Float>.self)
        o.storeBytes(of: row.2, toByteOffset: 64, as: SIMD8<Float>.self)
    }
}

extension SIMD8 where Scalar == Float {
    /// self += a·b, fused.
    @inline(__always)
    mutating func addProduct(_ a: Self, _ b: Self) { self = self.addingProduct(a, b) }
}
