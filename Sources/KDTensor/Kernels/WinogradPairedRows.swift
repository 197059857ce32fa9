// WinogradPairedRows: the F(2x2,3x3) transforms for maps 4 tiles wide (7x7 and 8x8 outputs), where a tile
// row fills half of an 8-wide SIMD step: two tile rows go through each step instead, lanes 0–3 the upper
// row's tiles and lanes 4–7 the lower's (contiguous in the transformed layout when a row has 4 tiles).

extension WinogradTransforms {
    typealias V16 = SIMD16<Float>

    /// Two 8-float runs (from the rows of two tile rows) as one 16-wide vector.
    @inline(__always)
    static func pair(_ upper: UnsafeRawPointer, _ lower: UnsafeRawPointer, _ at: Int) -> V16 {
        V16(
            lowHalf: upper.loadUnaligned(fromByteOffset: at * 4, as: V8.self),
            highHalf: lower.loadUnaligned(fromByteOffset: at * 4, as: V8.self))
    }

    /// `input` for `tiling.cols == 4`.
    static func inputPairs(_ plane: UnsafePointer<Float>, _ tiling: Tiling, into v: UnsafeMutablePointer<Float>, ePitch: Int) {
        let wp = tiling.planeWidth
        var ty = 0
        while ty < tiling.rows {
            // A missing lower row repeats the upper one; its lanes land past the last tile (overwritten or unused).
            let upper = UnsafeRawPointer(plane + 2 * ty * wp), lower = ty + 1 < tiling.rows ? upper + 8 * wp : upper
            @inline(__always) func rowPass(_ r: Int) -> (V8, V8, V8, V8) {
                let a = pair(upper, lower, r * wp), b = pair(upper, lower, r * wp + 2)
                let (d0, d1, d2, d3) = (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
                return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
            }
            let (h0, h1, h2, h3) = (rowPass(0), rowPass(1), rowPass(2), rowPass(3))
            let out = v + ty * 4
            columnPass(h0.0, h1.0, h2.0, h3.0, out, ePitch)
            columnPass(h0.1, h1.1, h2.1, h3.1, out + ePitch, ePitch)
            columnPass(h0.2, h1.2, h2.2, h3.2, out + 2 * ePitch, ePitch)
            columnPass(h0.3, h1.3, h2.3, h3.3, out + 3 * ePitch, ePitch)
            ty += 2
        }
    }

    /// `outputGradient` for `tiling.cols == 4`.
    static func outputGradientPairs(
        _ plane: UnsafePointer<Float>, _ tiling: Tiling, into m: UnsafeMutablePointer<Float>, ePitch: Int
    ) {
        let wp = 2 * tiling.paddedCols
        var ty = 0
        while ty < tiling.rows {
            let upper = UnsafeRawPointer(plane + 2 * ty * wp), lower = ty + 1 < tiling.rows ? upper + 8 * wp : upper
            let (r0, r1) = (pair(upper, lower, 0), pair(upper, lower, wp))
            let out = m + ty * 4
            aRow(r0, out, ePitch)
            aRow(r0 + r1, out + 4 * ePitch, ePitch)
            aRow(r0 - r1, out + 8 * ePitch, ePitch)
            aRow(-r1, out + 12 * ePitch, ePitch)
            ty += 2
        }
    }

    /// `output` for `tiling.cols == 4`: lanes 0–7 of each 16-wide line are an output row of the upper tile
    /// row, lanes 8–15 the same row of the lower one.
    static func outputPairs(
        _ m: UnsafePointer<Float>, ePitch: Int, _ tiling: Tiling, bias: Float, into y: UnsafeMutablePointer<Float>,
        outH: Int, outW: Int
    ) {
        let raw = UnsafeRawPointer(m), b = V8(repeating: bias), valid = Swift.min(8, outW)
        var ty = 0
        while ty < tiling.rows {
            let at = ty * 4 * 4
            @inline(__always) func column(_ j: Int) -> (V8, V8) {
                let m0 = raw.loadUnaligned(fromByteOffset: at + j * ePitch * 4, as: V8.self)
                let m1 = raw.loadUnaligned(fromByteOffset: at + (4 + j) * ePitch * 4, as: V8.self)
                let m2 = raw.loadUnaligned(fromByteOffset: at + (8 + j) * ePitch * 4, as: V8.self)
                let m3 = raw.loadUnaligned(fromByteOffset: at + (12 + j) * ePitch * 4, as: V8.self)
                return (m0 + m1 + m2, m1 - m2 - m3)
            }
            let (c0, c1, c2, c3) = (column(0), column(1), column(2), column(3))
            @inline(__always) func store(_ row: V8, _ oy: Int) {
                guard oy < outH else { return }
                let dst = y + oy * outW
                if valid == 8 { storeV(row, dst) } else { for q in 0..<valid { dst[q] = row[q] } }
            }
            var line = V16()
            line.evenHalf = c0.0 + c1.0 + c2.0 + b
            line.oddHalf = c1.0 - c2.0 - c3.0 + b
            store(line.lowHalf, 2 * ty)
            store(line.highHalf, 2 * ty + 2)
            line.evenHalf = c0.1 + c1.1 + c2.1 + b
            line.oddHalf = c1.1 - c2.1 - c3.1 + b
            store(line.lowHalf, 2 * ty + 1)
            store(line.highHalf, 2 * ty + 3)
            ty += 2
        }
    }
}
