// DirectConvGradient: the weight gradient of a "same" stride-1 convolution without im2col:
// dW[o][c][t] = Σ_q dy[o][q] · x_pad[c][q + offset(t)] over output positions q on the padded-width
// line (where dy's extra columns are zero), in register blocks of 4 output channels x 3 taps.

extension DirectConv {
    /// dW `[Cout, Cin, k, k]` += correlation of a padded image (`pad`) with a padded dy, where `dyLine`
    /// points at dy's first value inside a zero-bordered buffer of row length W + 2p (as `pad` of dy with
    /// the flipped geometry lays it out).
    static func accumulateWeightGradient(
        paddedInput xp: UnsafePointer<Float>, dyLine: UnsafePointer<Float>,
        dWeight: UnsafeMutablePointer<Float>, _ g: ConvGeometry
    ) {
        let (h, w, p, k) = (g.height, g.width, g.padding, g.kernelH)
        let wp = w + 2 * p, planeX = (h + 2 * p) * wp, planeDy = (h + 2 * p) * wp
        let lineLength = h * wp, taps = k * k, cin = g.inChannels, cout = g.outChannels
        var o = 0
        while o < cout {
            let oc = Swift.min(4, cout - o)
            for c in 0..<cin {
                var t = 0
                while t < taps {
                    let tc = Swift.min(3, taps - t)
                    var offsets = (0, 0, 0)
                    offsets.0 = (t / k) * wp + t % k
                    offsets.1 = tc > 1 ? ((t + 1) / k) * wp + (t + 1) % k : offsets.0
                    offsets.2 = tc > 2 ? ((t + 2) / k) * wp + (t + 2) % k : offsets.0
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 12) { sums in
                        correlate(
                            xp + c * planeX, offsets, dyLine + o * planeDy, rows: oc, rowStride: planeDy, length: lineLength,
                            into: sums.baseAddress!)
                        for r in 0..<oc {
                            for m in 0..<tc { dWeight[((o + r) * cin + c) * taps + t + m] += sums[r * 3 + m] }
                        }
                    }
                    t += tc
                }
            }
            o += oc
        }
    }

    /// sums[r·3 + m] = Σ_{q < length} dy[r·rowStride + q] · x[offsets.m + q] for r < 4, m < 3
    /// (rows beyond `rows` read row 0 and are ignored by the caller).
    @inline(__always)
    static func correlate(
        _ x: UnsafePointer<Float>, _ offsets: (Int, Int, Int), _ dy: UnsafePointer<Float>, rows: Int,
        rowStride: Int, length: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        var a00 = V(), a01 = V(), a02 = V(), a10 = V(), a11 = V(), a12 = V()
        var a20 = V(), a21 = V(), a22 = V(), a30 = V(), a31 = V(), a32 = V()
        let rx = UnsafeRawPointer(x), rd = UnsafeRawPointer(dy)
        let s1 = (rows > 1 ? rowStride : 0) * 4, s2 = (rows > 2 ? 2 * rowStride : 0) * 4, s3 = (rows > 3 ? 3 * rowStride : 0) * 4
        let (o0, o1, o2) = (offsets.0 * 4, offsets.1 * 4, offsets.2 * 4)
        var q = 0
        while q + 8 <= length {
            let b = q * 4
            let x0 = rx.loadUnaligned(fromByteOffset: o0 + b, as: V.self)
            let x1 = rx.loadUnaligned(fromByteOffset: o1 + b, as: V.self)
            let x2 = rx.loadUnaligned(fromByteOffset: o2 + b, as: V.self)
            let d0 = rd.loadUnaligned(fromByteOffset: b, as: V.self)
            let d1 = rd.loadUnaligned(fromByteOffset: s1 + b, as: V.self)
            let d2 = rd.loadUnaligned(fromByteOffset: s2 + b, as: V.self)
            let d3 = rd.loadUnaligned(fromByteOffset: s3 + b, as: V.self)
            a00.addProduct(d0, x0); a01.addProduct(d0, x1); a02.addProduct(d0, x2)
            a10.addProduct(d1, x0); a11.addProduct(d1, x1); a12.addProduct(d1, x2)
            a20.addProduct(d2, x0); a21.addProduct(d2, x1); a22.addProduct(d2, x2)
            a30.addProduct(d3, x0); a31.addProduct(d3, x1); a32.addProduct(d3, x2)
            q += 8
        }
        (sums[0], sums[1], sums[2], sums[3]) = (a00.sum(), a01.sum(), a02.sum(), a10.sum())
        (sums[4], sums[5], sums[6], sums[7]) = (a11.sum(), a12.sum(), a20.sum(), a21.sum())
        (sums[8], sums[9], sums[10], sums[11]) = (a22.sum(), a30.sum(), a31.sum(), a32.sum())
        let rowOffsets = (0, s1 / 4, s2 / 4, s3 / 4)
        while q < length {
            let d = (dy[q + rowOffsets.0], dy[q + rowOffsets.1], dy[q + rowOffsets.2], dy[q + rowOffsets.3])
            let xs = (x[offsets.0 + q], x[offsets.1 + q], x[offsets.2 + q])
            sums[0] += d.0 * xs.0; sums[1] += d.0 * xs.1; sums[2] += d.0 * xs.2
            sums[3] += d.1 * xs.0; sums[4] += d.1 * xs.1; sums[5] += d.1 * xs.2
            sums[6] += d.2 * xs.0; sums[7] += d.2 * xs.1; sums[8] += d.2 * xs.2
            sums[9] += d.3 * xs.0; sums[10] += d.3 * xs.1; sums[11] += d.3 * xs.2
            q += 1
        }
    }
}

extension ConvKernels {
    /// Backward of a "same" stride-1 convolution, every pass direct: per image, pad x and dy once, add the
    /// weight gradient, and convolve padded dy with the flipped kernel for dx.
    static func directBackward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>?, _ g: ConvGeometry, flipped: FlippedConvolution
    ) {
        let fg = flipped.geometry, p = g.padding, wp = g.width + 2 * p
        let packed = dx == nil ? nil : DirectConv.packWeights(flipped.weights.base, fg)
        let (cout, hw, wCount) = (g.outChannels, g.outPixels, g.outChannels * g.patchSize)
        let xSize = DirectConv.paddedSize(g), dySize = DirectConv.paddedSize(fg)
        let stageSize = DirectConv.stageSize(fg)
        let perThread = xSize + dySize + stageSize + wCount + cout, parts = Parallel.partCount(g.batch)
        let partials = xSize + dySize + stageSize
        let scratch = TensorStorage(uninitializedCount: parts * perThread)
        _ = Parallel.indexedChunks(g.batch) { part, images in
            let xp = scratch.base + part * perThread, dyP = xp + xSize, stage = dyP + dySize
            let dwPart = xp + partials, dbPart = dwPart + wCount
            dwPart.update(repeating: 0, count: wCount + cout)
            for n in images {
                let dyN = dy + n * g.outImageSize
                DirectConv.pad(dyN, fg, into: dyP)
                if dWeight != nil {
                    DirectConv.pad(x + n * g.inImageSize, g, into: xp)
                    DirectConv.accumulateWeightGradient(paddedInput: xp, dyLine: dyP + p * wp + p, dWeight: dwPart, g)
                }
                if dBias != nil { for c in 0..<cout { dbPart[c] += Vector.sum(dyN + c * hw, hw) } }
                if let dx, let packed {
                    DirectConv.convolvePadded(dyP, packed: packed.base, bias: nil, y: dx + n * g.inImageSize, fg, stage: stage)
                }
            }
        }
        if let dWeight {
            dWeight.update(from: scratch.base + partials, count: wCount)
            for q in 1..<parts { Vector.add(scratch.base + q * perThread + partials, into: dWeight, wCount) }
        }
        if let dBias {
            dBias.update(from: scratch.base + partials + wCount, count: cout)
            for q in 1..<parts { Vector.add(scratch.base + q * perThread + partials + wCount, into: dBias, cout) }
        }
        withExtendedLifetime((scratch, packed)) {}
    }
}
