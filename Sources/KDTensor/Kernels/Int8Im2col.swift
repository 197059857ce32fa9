// Int8Im2col: the uint8 side of int8 convolution: float activations quantized to channels-last uint8 with
// one QuantParams, and one image `[H, W, C]` unfolded into patch rows `[Ho·Wo, kh·kw·C]` padded with the zero point.

/// Quantizing and unfolding uint8 activations.
public enum Int8Im2col {
    /// `out[i] = params.quantize(x[i])` for `count` values (the one rounding rule, `QuantParams.quantize`).
    public static func quantize(
        _ x: UnsafePointer<Float>, count: Int, _ params: QuantParams, into out: UnsafeMutablePointer<UInt8>
    ) {
        for i in 0..<count { out[i] = UInt8(truncatingIfNeeded: params.quantize(x[i])) }
    }

    /// `out[(y·W + x)·C + c] = params.quantize(x[(c·H + y)·W + x])`: one float image `[C, H, W]` quantized
    /// into channels-last uint8 `[H, W, C]`, the layout `patches` reads. The values are quantized in their
    /// own order into `scratch` (C·H·W bytes; vectorised), then transposed.
    public static func quantizeToChannelsLast(
        _ x: UnsafePointer<Float>, channels: Int, height: Int, width: Int, _ params: QuantParams,
        scratch: UnsafeMutablePointer<UInt8>, into out: UnsafeMutablePointer<UInt8>
    ) {
        let plane = height * width
        if channels == 1 { return quantize(x, count: plane, params, into: out) }
        quantize(x, count: channels * plane, params, into: scratch)
        var dst = out
        for i in 0..<plane {
            var src = scratch + i
            for _ in 0..<channels {
                dst.pointee = src.pointee
                dst += 1
                src += plane
            }
        }
    }

    /// Bytes the kernels below may read past the end of their input and write past the end of their output.
    public static let slack = 16

    /// Patch rows of one channels-last uint8 image `x` `[H, W, C]`: row `p = oy·Wo + ox` holds the `kh·kw·C`
    /// values its output reads, in order `(i, j, c)` (weights `[O, kh, kw, C]`); taps outside the image are
    /// `zero` (real 0). `out` is `[Ho·Wo, rowStride]` (`rowStride` ≥ kh·kw·C, default equal). A kernel row
    /// inside the image is one contiguous copy of kw·C bytes. Runs of up to 16 bytes are copied as whole
    /// 8-byte words, so up to `slack` bytes past a run are written with junk that the next run overwrites, or
    /// that lands in the padding columns (zero weights: harmless) or in the `slack` bytes past `out`'s end;
    /// `x` needs `slack` readable bytes past its end.
    public static func patches(
        _ x: UnsafePointer<UInt8>, channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int, stride: Int,
        padding: Int, zero: UInt8, into out: UnsafeMutablePointer<UInt8>, rowStride: Int? = nil
    ) {
        let ho = (height + 2 * padding - kernelH) / stride + 1, wo = (width + 2 * padding - kernelW) / stride + 1
        let span = kernelW * channels, k = rowStride ?? kernelH * span
        let zeros = UInt64(zero) &* 0x0101_0101_0101_0101
        for oy in 0..<ho {
            for ox in 0..<wo {
                var row = out + (oy * wo + ox) * k
                let y0 = oy * stride - padding, x0 = ox * stride - padding
                let inside = x0 >= 0 && x0 + kernelW <= width
                for i in 0..<kernelH {
                    let y = y0 + i
                    if y < 0 || y >= height {
                        fill(row, zeros, count: span)
                    } else if inside {
                        copy(x + (y * width + x0) * channels, to: row, count: span)
                    } else {
                        for j in 0..<kernelW {
                            let xx = x0 + j
                            if xx < 0 || xx >= width {
                                fill(row + j * channels, zeros, count: channels)
                            } else {
                                copy(x + (y * width + xx) * channels, to: row + j * channels, count: channels)
                            }
                        }
                    }
                    row += span
                }
            }
        }
    }

    /// Copies `count` bytes; runs of up to 16 as whole words (writing up to `slack` bytes past them).
    @inline(__always)
    static func copy(_ src: UnsafePointer<UInt8>, to dst: UnsafeMutablePointer<UInt8>, count: Int) {
        let (s, d) = (UnsafeRawPointer(src), UnsafeMutableRawPointer(dst))
        if count <= 8 {
            d.storeBytes(of: s.loadUnaligned(as: UInt64.self), as: UInt64.self)
        } else if count <= 16 {
            d.storeBytes(of: s.loadUnaligned(as: UInt64.self), as: UInt64.self)
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
        } else {
            dst.update(from: src, count: count)
        }
    }

    /// Sets `count` bytes to the byte repeated in `word`; runs of up to 16 as whole words.
    @inline(__always)
    static func fill(_ dst: UnsafeMutablePointer<UInt8>, _ word: UInt64, count: Int) {
        let d = UnsafeMutableRawPointer(dst)
        if count <= 8 {
            d.storeBytes(of: word, as: UInt64.self)
        } else if count <= 16 {
            d.storeBytes(of: word, as: UInt64.self)
            d.storeBytes(of: word, toByteOffset: 8, as: UInt64.self)
        } else {
            dst.update(repeating: UInt8(truncatingIfNeeded: word), count: count)
        }
    }
}
