// NaiveInt8: the plain-loop twins of Int8Gemm and Int8Im2col, which the fast kernels are tested
// against for identical integers. Slow on purpose; never used for inference.

extension Reference {
    /// `c[i, j] = Σ_k (a[i, k] − aZero) · b[j, k]`, `a` uint8 `[m, k]`, `b` int8 `[n, k]`; `c` is `[m, n]`.
    public static func int8Gemm(a: [UInt8], aZero: Int32, b: [Int8], m: Int, n: Int, k: Int) -> [Int32] {
        var c = [Int32](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s: Int32 = 0
                for kk in 0..<k { s += (Int32(a[i * k + kk]) - aZero) * Int32(b[j * k + kk]) }
                c[i * n + j] = s
            }
        }
        return c
    }

    /// Int8 convolution of one uint8 image `x` `[C, H, W]` (zero point `xZero`, also the padding) with int8
    /// weights `[O, C, kh, kw]`: `y[o, oy, ox] = Σ (x − xZero) · w` over the taps inside the image, `[O, Ho, Wo]`.
    public static func int8Conv(
        x: [UInt8], xZero: Int32, weight: [Int8], outChannels: Int, channels: Int, height: Int, width: Int, kernel: Int,
        stride: Int, padding: Int
    ) -> [Int32] {
        let ho = (height + 2 * padding - kernel) / stride + 1, wo = (width + 2 * padding - kernel) / stride + 1
        var y = [Int32](repeating: 0, count: outChannels * ho * wo)
        for o in 0..<outChannels {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var s: Int32 = 0
                    for c in 0..<channels {
                        for i in 0..<kernel {
                            for j in 0..<kernel {
                                let iy = oy * stride - padding + i, ix = ox * stride - padding + j
                                if iy < 0 || iy >= height || ix < 0 || ix >= width { continue }
                                s +=
                                    (Int32(x[(c * height + iy) * width + ix]) - xZero)
                                    * Int32(weight[((o * channels + c) * kernel + i) * kernel + j])
                            }
                        }
                    }
                    y[(o * ho + oy) * wo + ox] = s
                }
            }
        }
        return y
    }
}
