// WinogradTransforms: the four tile transforms of Winograd F(2x2,3x3) (Lavin & Gray, 2016) on raw
// buffers, SIMD over 8 horizontally adjacent tiles: input Bᵀ d B, filter G g Gᵀ, output Aᵀ m A, and for
// the weight gradient the output-gradient transform A dy Aᵀ and the filter-gradient transform Gᵀ u G.

/// Tile transforms of F(2x2,3x3). Transformed tensors are `[16, rows, pitch]`: element e = 4i + j of a
/// 4x4 tile is plane e, row r is a channel, column t a tile (image-major, then tile row, then tile column).
enum WinogradTransforms {
    typealias V8 = SIMD8<Float>

    /// Tiles of one map: `rows` x `cols` 2x2 output tiles covering `outH` x `outW`.
    struct Tiling {
        let rows, cols: Int
        /// Columns of 8-tile SIMD steps (cols rounded up to 8).
        var paddedCols: Int { (cols + 7) / 8 * 8 }
        /// Tiles per image.
        var count: Int { rows * cols }
        init(outH: Int, outW: Int) { (rows, cols) = ((outH + 1) / 2, (outW + 1) / 2) }
        /// Width of the zero-padded input plane the input transform reads (SIMD over-reads included).
        var planeWidth: Int { 2 * paddedCols + 2 }
        /// Height of that plane.
        var planeHeight: Int { 2 * rows + 2 }
    }

    /// U `[16, K, C]` = G g Gᵀ for weights g `[K, C, 3, 3]`. With `flipped`, g is instead the input-gradient
    /// kernel of weights `[C, K, 3, 3]`: g[k][c][i][j] = w[c][k][2 − i][2 − j].
    static func filter(_ w: UnsafePointer<Float>, k: Int, c: Int, flipped: Bool, into u: UnsafeMutablePointer<Float>) {
        let plane = k * c
        for o in 0..<k {
            for ci in 0..<c {
                @inline(__always) func g(_ i: Int, _ j: Int) -> Float {
                    flipped ? w[((ci * k + o) * 3 + 2 - i) * 3 + 2 - j] : w[((o * c + ci) * 3 + i) * 3 + j]
                }
                // Rows: t = G g ([4, 3]); columns: t Gᵀ ([4, 4]).
                let cols = (
                    gColumn(g(0, 0), g(1, 0), g(2, 0)), gColumn(g(0, 1), g(1, 1), g(2, 1)), gColumn(g(0, 2), g(1, 2), g(2, 2))
                )
                let dst = u + o * c + ci
                for i in 0..<4 {
                    let row = gColumn(cols.0[i], cols.1[i], cols.2[i])
                    for j in 0..<4 { dst[(i * 4 + j) * plane] = row[j] }
                }
            }
        }
    }

    /// G · (a, b, d): the 4 rows of one column of G g.
    @inline(__always)
    static func gColumn(_ a: Float, _ b: Float, _ d: Float) -> SIMD4<Float> {
        SIMD4(a, 0.5 * (a + b + d), 0.5 * (a - b + d), d)
    }

    /// Gᵀ · (a, b, d, e): 3 values (the last lane 0).
    @inline(__always)
    static func gTransposed(_ v: SIMD4<Float>) -> SIMD4<Float> {
        SIMD4(v[0] + 0.5 * (v[1] + v[2]), 0.5 * (v[1] - v[2]), 0.5 * (v[1] + v[2]) + v[3], 0)
    }

    /// dW `[K, C, 3, 3]` = Gᵀ u G for each (k, c) of dU `[16, K, C]`.
    static func filterGradient(_ du: UnsafePointer<Float>, k: Int, c: Int, into dw: UnsafeMutablePointer<Float>) {
        let plane = k * c
        for o in 0..<k {
            for ci in 0..<c {
                let src = du + o * c + ci
                @inline(__always) func row(_ i: Int) -> SIMD4<Float> {
                    SIMD4(src[(4 * i) * plane], src[(4 * i + 1) * plane], src[(4 * i + 2) * plane], src[(4 * i + 3) * plane])
                }
                // Columns first (Gᵀ u, [3, 4]), then rows ((Gᵀ u) G, [3, 3]).
                let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3))
                var t = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())
                for j in 0..<4 {
                    let col = gTransposed(SIMD4(r0[j], r1[j], r2[j], r3[j]))
                    (t.0[j], t.1[j], t.2[j]) = (col[0], col[1], col[2])
                }
                let out = dw + (o * c + ci) * 9
                for (i, ti) in [t.0, t.1, t.2].enumerated() {
                    let v = gTransposed(ti)
                    (out[3 * i], out[3 * i + 1], out[3 * i + 2]) = (v[0], v[1], v[2])
                }
            }
        }
    }

    /// Copies a map `[h, w]` into `plane` (`tiling.planeHeight` x `tiling.planeWidth`, borders already zero)
    /// at offset (pad, pad), clipped to the plane.
    @inline(__always)
    static func place(
        _ src: UnsafePointer<Float>, h: Int, w: Int, pad: Int, _ tiling: Tiling, into plane: UnsafeMutablePointer<Float>
    ) {
        let wp = tiling.planeWidth
        let rows = Swift.min(h, tiling.planeHeight - pad), cols = Swift.min(w, wp - pad)
        for r in 0..<rows { Vector.copy(src + r * w, to: plane + (r + pad) * wp + pad, cols) }
    }

    /// V[e][·][t0 + t] = (Bᵀ d B)[e] for every tile t of one zero-padded plane; `v` points at the plane's
    /// row and first column in plane 0, `ePitch` floats between planes. Writes up to 7 columns past the
    /// last tile (the caller's pitch leaves room; later tiles overwrite them).
    static func input(_ plane: UnsafePointer<Float>, _ tiling: Tiling, into v: UnsafeMutablePointer<Float>, ePitch: Int) {
        if tiling.cols == 4 { return inputPairs(plane, tiling, into: v, ePitch: ePitch) }
        let wp = tiling.planeWidth
        for ty in 0..<tiling.rows {
            let top = UnsafeRawPointer(plane + 2 * ty * wp)
            var tx = 0
            while tx < tiling.cols {
                // Horizontal pass on each of the 4 rows (columns 2tx + 0...3 of 8 tiles), then vertical.
                let h0 = rowPass(top, 2 * tx), h1 = rowPass(top, wp + 2 * tx)
                let h2 = rowPass(top, 2 * wp + 2 * tx), h3 = rowPass(top, 3 * wp + 2 * tx)
                let out = v + ty * tiling.cols + tx
                columnPass(h0.0, h1.0, h2.0, h3.0, out, ePitch)
                columnPass(h0.1, h1.1, h2.1, h3.1, out + ePitch, ePitch)
                columnPass(h0.2, h1.2, h2.2, h3.2, out + 2 * ePitch, ePitch)
                columnPass(h0.3, h1.3, h2.3, h3.3, out + 3 * ePitch, ePitch)
                tx += 8
            }
        }
    }

    /// Bᵀ d for 8 tiles' rows starting at float `at`: columns d0...d3 deinterleaved from two 16-wide loads.
    @inline(__always)
    static func rowPass(_ top: UnsafeRawPointer, _ at: Int) -> (V8, V8, V8, V8) {
        let a = top.loadUnaligned(fromByteOffset: at * 4, as: SIMD16<Float>.self)
        let b = top.loadUnaligned(fromByteOffset: (at + 2) * 4, as: SIMD16<Float>.self)
        let (d0, d1, d2, d3) = (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    }

    /// Bᵀ applied down one column (rows r0...r3), stored to planes 0, 4, 8, 12 from `out`.
    @inline(__always)
    static func columnPass(_ r0: V8, _ r1: V8, _ r2: V8, _ r3: V8, _ out: UnsafeMutablePointer<Float>, _ ePitch: Int) {
        storeV(r0 - r2, out)
        storeV(r1 + r2, out + 4 * ePitch)
        storeV(r2 - r1, out + 8 * ePitch)
        storeV(r1 - r3, out + 12 * ePitch)
    }

    /// Mdy[e][·][t] = (A dy Aᵀ)[e] for every 2x2 tile of an output-gradient map placed in a zero-padded
    /// plane of width `2·paddedCols` and height `2·rows`; same layout and over-write rule as `input`.
    static func outputGradient(
        _ plane: UnsafePointer<Float>, _ tiling: Tiling, into m: UnsafeMutablePointer<Float>, ePitch: Int
    ) {
        if tiling.cols == 4 { return outputGradientPairs(plane, tiling, into: m, ePitch: ePitch) }
        let wp = 2 * tiling.paddedCols
        for ty in 0..<tiling.rows {
            let top = UnsafeRawPointer(plane + 2 * ty * wp)
            var tx = 0
            while tx < tiling.cols {
                let r0 = top.loadUnaligned(fromByteOffset: 2 * tx * 4, as: SIMD16<Float>.self)
                let r1 = top.loadUnaligned(fromByteOffset: (wp + 2 * tx) * 4, as: SIMD16<Float>.self)
                // Rows of A dy ([4, 2]), then each row times Aᵀ ([4, 4]).
                let out = m + ty * tiling.cols + tx
                aRow(r0, out, ePitch)
                aRow(r0 + r1, out + 4 * ePitch, ePitch)
                aRow(r0 - r1, out + 8 * ePitch, ePitch)
                aRow(-r1, out + 12 * ePitch, ePitch)
                tx += 8
            }
        }
    }

    /// One row (a, b) of A dy times Aᵀ: (a, a + b, a − b, −b) to 4 consecutive planes.
    @inline(__always)
    static func aRow(_ row: SIMD16<Float>, _ out: UnsafeMutablePointer<Float>, _ ePitch: Int) {
        let (a, b) = (row.evenHalf, row.oddHalf)
        storeV(a, out)
        storeV(a + b, out + ePitch)
        storeV(a - b, out + 2 * ePitch)
        storeV(-b, out + 3 * ePitch)
    }

    /// y `[outH, outW]` = Aᵀ M A (+ bias) for every tile of one map; `m` points at the map's row and first
    /// column in plane 0 of M. Reads up to 7 columns past the last tile.
    static func output(
        _ m: UnsafePointer<Float>, ePitch: Int, _ tiling: Tiling, bias: Float, into y: UnsafeMutablePointer<Float>,
        outH: Int, outW: Int
    ) {
        if tiling.cols == 4 { return outputPairs(m, ePitch: ePitch, tiling, bias: bias, into: y, outH: outH, outW: outW) }
        let raw = UnsafeRawPointer(m)
        for ty in 0..<tiling.rows {
            var tx = 0
            while tx < tiling.cols {
                let at = (ty * tiling.cols + tx) * 4
                // Aᵀ m down each of the 4 columns: (row 0, row 1) per column.
                @inline(__always) func column(_ j: Int) -> (V8, V8) {
                    let m0 = raw.loadUnaligned(fromByteOffset: at + j * ePitch * 4, as: V8.self)
                    let m1 = raw.loadUnaligned(fromByteOffset: at + (4 + j) * ePitch * 4, as: V8.self)
                    let m2 = raw.loadUnaligned(fromByteOffset: at + (8 + j) * ePitch * 4, as: V8.self)
                    let m3 = raw.loadUnaligned(fromByteOffset: at + (12 + j) * ePitch * 4, as: V8.self)
                    return (m0 + m1 + m2, m1 - m2 - m3)
                }
                let (c0, c1, c2, c3) = (column(0), column(1), column(2), column(3))
                let b = V8(repeating: bias)
                var line = SIMD16<Float>()
                let valid = outW - 2 * tx
                // Row r of the 2x2 outputs: (s0 + s1 + s2, s1 − s2 − s3), interleaved into 16 output columns.
                line.evenHalf = c0.0 + c1.0 + c2.0 + b
                line.oddHalf = c1.0 - c2.0 - c3.0 + b
                storeLine(line, y + 2 * ty * outW + 2 * tx, valid)
                if 2 * ty + 1 < outH {
                    line.evenHalf = c0.1 + c1.1 + c2.1 + b
                    line.oddHalf = c1.1 - c2.1 - c3.1 + b
                    storeLine(line, y + (2 * ty + 1) * outW + 2 * tx, valid)
                }
                tx += 8
            }
        }
    }

    /// Stores the first min(16, valid) lanes of `line` at `dst`.
    @inline(__always)
    static func storeLine(_ line: SIMD16<Float>, _ dst: UnsafeMutablePointer<Float>, _ valid: Int) {
        if valid >= 16 {
            UnsafeMutableRawPointer(dst).storeBytes(of: line, as: SIMD16<Float>.self)
        } else {
            for q in 0..<valid { dst[q] = line[q] }
        }
    }

    @inline(__always)
    static func storeV(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }
}
