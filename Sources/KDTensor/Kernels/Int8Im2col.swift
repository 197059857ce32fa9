// Int8Im2col: the uint8 side of int8 convolution: float activations quantized to uint8 with one
// QuantParams, and one image `[C, H, W]` unfolded into patch rows `[Ho·Wo, C·kh·kw]` padded with the zero point.

/// Quantizing and unfolding uint8 activations.
public enum Int8Im2col {
    /// `out[i] = params.quantize(x[i])` for `count` values (the one rounding rule, `QuantParams.quantize`).
    public static func quantize(
        _ x: UnsafePointer<Float>, count: Int, _ params: QuantParams, into out: UnsafeMutablePointer<UInt8>
    ) {
        for i in 0..<count { out[i] = UInt8(truncatingIfNeeded: params.quantize(x[i])) }
    }

    /// Patch rows of one quantized image `x` `[C, H, W]`: row `p = oy·Wo + ox` holds the `C·kh·kw` values its
    /// output reads, in weight order `(c, i, j)`; taps outside the image are `zero` (real 0). `out` is
    /// `[Ho·Wo, rowStride]` (`rowStride` ≥ C·kh·kw, default equal; the columns past C·kh·kw are left as they are).
    public static func patches(
        _ x: UnsafePointer<UInt8>, channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int, stride: Int,
        padding: Int, zero: UInt8, into out: UnsafeMutablePointer<UInt8>, rowStride: Int? = nil
    ) {
        let ho = (height + 2 * padding - kernelH) / stride + 1, wo = (width + 2 * padding - kernelW) / stride + 1
        let k = rowStride ?? channels * kernelH * kernelW
        for oy in 0..<ho {
            for ox in 0..<wo {
                var row = out + (oy * wo + ox) * k
                let y0 = oy * stride - padding, x0 = ox * stride - padding
                for c in 0..<channels {
                    let plane = x + c * height * width
                    for i in 0..<kernelH {
                        let y = y0 + i
                        // Rows are a few bytes long: unrolled copies for the zoo's kernels (1, 3, 5), as
                        // LLVM turns a plain copy loop back into a memmove call.
                        if y < 0 || y >= height {
                            for j in 0..<kernelW { row[j] = zero }
                        } else if x0 >= 0 && x0 + kernelW <= width {
                            let src = plane + y * width + x0
                            switch kernelW {
                            case 1: row[0] = src[0]
                            case 3: (row[0], row[1], row[2]) = (src[0], src[1], src[2])
                            case 5: (row[0], row[1], row[2], row[3], row[4]) = (src[0], src[1], src[2], src[3], src[4])
                            default: row.update(from: src, count: kernelW)
                            }
                        } else {
                            for j in 0..<kernelW {
                                let xx = x0 + j
                                row[j] = xx < 0 || xx >= width ? zero : plane[y * width + xx]
                            }
                        }
                        row += kernelW
                    }
                }
            }
        }
    }
}
