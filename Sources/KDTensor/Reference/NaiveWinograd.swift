// NaiveWinograd: Winograd F(2x2,3x3) written with the textbook matrices Bᵀ, G, Aᵀ (Lavin & Gray, 2016)
// and plain loops, tile by tile: the twin WinogradConv's SIMD transforms and GEMMs are tested against.

extension Reference {
    static let winogradBT: [[Float]] = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    static let winogradG: [[Float]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    static let winogradAT: [[Float]] = [[1, 1, 1, 0], [0, 1, -1, -1]]

    static func matmul(_ a: [[Float]], _ b: [[Float]]) -> [[Float]] {
        (0..<a.count).map { i in (0..<b[0].count).map { j in (0..<b.count).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
    }

    static func transposed(_ a: [[Float]]) -> [[Float]] { (0..<a[0].count).map { j in a.map { $0[j] } } }

    /// The 4x4 input tile of image n, channel c at input position (y0, x0) (zero outside the map).
    static func tile(_ x: [Float], _ n: Int, _ c: Int, channels: Int, h: Int, w: Int, y0: Int, x0: Int, size: Int)
        -> [[Float]]
    {
        (0..<size).map { i in
            (0..<size).map { j in
                let (iy, ix) = (y0 + i, x0 + j)
                return iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : x[((n * channels + c) * h + iy) * w + ix]
            }
        }
    }

    /// y = conv2d(x, weight) + bias for a 3x3 stride-1 `g`, by Y = Aᵀ[Σ_c (G g Gᵀ) ⊙ (Bᵀ d B)]A per 2x2 tile.
    public static func winogradConv2d(x: [Float], weight: [Float], bias: [Float]?, _ g: ConvGeometry) -> [Float] {
        let (c, k, ho, wo) = (g.inChannels, g.outChannels, g.outHeight, g.outWidth)
        let gT = transposed(winogradG), b = transposed(winogradBT), a = transposed(winogradAT)
        var u = [[[Float]]]()  // [k·C + c] → 4x4
        for o in 0..<k {
            for ci in 0..<c {
                let f = (0..<3).map { i in (0..<3).map { j in weight[((o * c + ci) * 3 + i) * 3 + j] } }
                u.append(matmul(matmul(winogradG, f), gT))
            }
        }
        var y = [Float](repeating: 0, count: g.batch * g.outImageSize)
        for n in 0..<g.batch {
            for ty in stride(from: 0, to: ho, by: 2) {
                for tx in stride(from: 0, to: wo, by: 2) {
                    let v = (0..<c).map { ci in
                        let d = tile(
                            x, n, ci, channels: c, h: g.height, w: g.width, y0: ty - g.padding, x0: tx - g.padding, size: 4)
                        return matmul(matmul(winogradBT, d), b)
                    }
                    for o in 0..<k {
                        var m = [[Float]](repeating: [0, 0, 0, 0], count: 4)
                        for ci in 0..<c { for i in 0..<4 { for j in 0..<4 { m[i][j] += u[o * c + ci][i][j] * v[ci][i][j] } } }
                        let out = matmul(matmul(winogradAT, m), a)
                        for i in 0..<2 where ty + i < ho {
                            for j in 0..<2 where tx + j < wo {
                                y[((n * k + o) * ho + ty + i) * wo + tx + j] = out[i][j] + (bias?[o] ?? 0)
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// dx of a 3x3 stride-1 convolution: `winogradConv2d` of dy with the flipped, transposed kernel, padding 2 − p.
    public static func winogradInputGradient(weight: [Float], dy: [Float], _ g: ConvGeometry) -> [Float] {
        let (c, k) = (g.inChannels, g.outChannels)
        var flipped = [Float](repeating: 0, count: weight.count)
        for o in 0..<k {
            for ci in 0..<c {
                for i in 0..<3 {
                    for j in 0..<3 { flipped[((ci * k + o) * 3 + 2 - i) * 3 + 2 - j] = weight[((o * c + ci) * 3 + i) * 3 + j] }
                }
            }
        }
        let fg = ConvGeometry(
            batch: g.batch, inChannels: k, height: g.outHeight, width: g.outWidth, outChannels: c, kernelH: 3, kernelW: 3,
            stride: 1, padding: 2 - g.padding)
        return winogradConv2d(x: dy, weight: flipped, bias: nil, fg)
    }

    /// dW of a 3x3 stride-1 convolution: Gᵀ[Σ_{n, tiles} (A dy Aᵀ) ⊙ (Bᵀ d B)]G for each (k, c).
    public static func winogradWeightGradient(x: [Float], dy: [Float], _ g: ConvGeometry) -> [Float] {
        let (c, k, ho, wo) = (g.inChannels, g.outChannels, g.outHeight, g.outWidth)
        let b = transposed(winogradBT), a = transposed(winogradAT), gT = transposed(winogradG)
        var du = [[[Float]]](repeating: [[Float]](repeating: [0, 0, 0, 0], count: 4), count: k * c)
        for n in 0..<g.batch {
            for ty in stride(from: 0, to: ho, by: 2) {
                for tx in stride(from: 0, to: wo, by: 2) {
                    let v = (0..<c).map { ci in
                        let d = tile(
                            x, n, ci, channels: c, h: g.height, w: g.width, y0: ty - g.padding, x0: tx - g.padding, size: 4)
                        return matmul(matmul(winogradBT, d), b)
                    }
                    for o in 0..<k {
                        let t = tile(dy, n, o, channels: k, h: ho, w: wo, y0: ty, x0: tx, size: 2)
                        let mdy = matmul(matmul(a, t), winogradAT)
                        for ci in 0..<c { for i in 0..<4 { for j in 0..<4 { du[o * c + ci][i][j] += mdy[i][j] * v[ci][i][j] } } }
                    }
                }
            }
        }
        var dw = [Float](repeating: 0, count: k * c * 9)
        for o in 0..<k {
            for ci in 0..<c {
                let f = matmul(matmul(gT, du[o * c + ci]), winogradG)
                for i in 0..<3 { for j in 0..<3 { dw[((o * c + ci) * 3 + i) * 3 + j] = f[i][j] } }
            }
        }
        return dw
    }
}
