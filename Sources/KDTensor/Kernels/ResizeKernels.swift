// ResizeKernels: nearest-neighbour resizing of NCHW planes with PyTorch's index rule (F.interpolate,
// mode "nearest"), forward (gather) and backward (gradients summed into the source pixels).

/// Nearest-neighbour resizing over `planes` consecutive `[H, W]` planes.
public enum ResizeKernels {
    /// The source index of each of `output` destination positions along an axis of `input`: PyTorch's
    /// `nearest_idx`, src = min(⌊dst · s⌋, in − 1) with s = in/out rounded to float32 (the identity when
    /// the sizes match, dst/2 when the output is twice the input). The float32 scale is what PyTorch uses:
    /// it can land one below the exact ⌊dst·in/out⌋ (21 → 30: dst 10 reads 6, not 7).
    public static func sourceIndices(input: Int, output: Int) -> [Int] {
        if input == output { return Array(0..<output) }
        if output == 2 * input { return (0..<output).map { $0 >> 1 } }
        let scale = Float(input) / Float(output)
        return (0..<output).map { Swift.min(Int((Float($0) * scale).rounded(.down)), input - 1) }
    }

    /// y[p, oy, ox] = x[p, rows[oy], cols[ox]] for `planes` planes of `[inH, inW]` → `[outH, outW]`.
    public static func forward(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int, inH: Int, inW: Int, outH: Int, outW: Int
    ) {
        let rows = sourceIndices(input: inH, output: outH), cols = sourceIndices(input: inW, output: outW)
        let (inSize, outSize) = (inH * inW, outH * outW)
        rows.withUnsafeBufferPointer { rp in
            cols.withUnsafeBufferPointer { cp in
                let (r, c) = (rp.baseAddress!, cp.baseAddress!)
                Parallel.chunks(planes, minPerThread: 16) { range in
                    for p in range {
                        let src = x + p * inSize, dst = y + p * outSize
                        for oy in 0..<outH {
                            let srcRow = src + r[oy] * inW, dstRow = dst + oy * outW
                            for ox in 0..<outW { dstRow[ox] = srcRow[c[ox]] }
                        }
                    }
                }
            }
        }
    }

    /// dx[p, iy, ix] = Σ dy[p, oy, ox] over the destinations that read (iy, ix); zero for unread pixels.
    public static func backward(
        dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, planes: Int, inH: Int, inW: Int, outH: Int, outW: Int
    ) {
        let rows = sourceIndices(input: inH, output: outH), cols = sourceIndices(input: inW, output: outW)
        let (inSize, outSize) = (inH * inW, outH * outW)
        rows.withUnsafeBufferPointer { rp in
            cols.withUnsafeBufferPointer { cp in
                let (r, c) = (rp.baseAddress!, cp.baseAddress!)
                Parallel.chunks(planes, minPerThread: 16) { range in
                    for p in range {
                        let src = dy + p * outSize, dst = dx + p * inSize
                        dst.update(repeating: 0, count: inSize)
                        for oy in 0..<outH {
                            let dstRow = dst + r[oy] * inW, srcRow = src + oy * outW
                            for ox in 0..<outW { dstRow[c[ox]] += srcRow[ox] }
                        }
                    }
                }
            }
        }
    }
}
