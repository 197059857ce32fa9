// Im2col: unfolds one image `[C, H, W]` into the GEMM operand `[C·kh·kw, Ho·Wo]` of a convolution,
// and col2im folds such a matrix back, adding overlaps. Borders are zero-filled, interiors copied in runs.

/// Shape of one 2-D convolution over a batch.
public struct ConvGeometry: Equatable, Sendable {
    public let batch, inChannels, height, width: Int
    public let outChannels, kernelH, kernelW, stride, padding: Int

    public init(
        batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
        kernelH: Int, kernelW: Int, stride: Int, padding: Int
    ) {
        (self.batch, self.inChannels, self.height, self.width) = (batch, inChannels, height, width)
        (self.outChannels, self.kernelH, self.kernelW, self.stride, self.padding) = (
            outChannels, kernelH, kernelW, stride, padding
        )
    }

    public var outHeight: Int { (height + 2 * padding - kernelH) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelW) / stride + 1 }
    /// Rows of the unfolded matrix: `C·kh·kw`.
    public var patchSize: Int { inChannels * kernelH * kernelW }
    /// Output pixels per image.
    public var outPixels: Int { outHeight * outWidth }
    /// Input elements per image.
    public var inImageSize: Int { inChannels * height * width }
    /// Output elements per image.
    public var outImageSize: Int { outChannels * outPixels }
    /// A 1x1, stride-1, unpadded convolution needs no unfolding: the image already is the GEMM operand.
    public var isPointwise: Bool { kernelH == 1 && kernelW == 1 && stride == 1 && padding == 0 }
}

enum Im2col {
    /// Valid output columns `ox` for kernel column `j`: those reading inside `0..<width`.
    @inline(__always)
    static func validColumns(_ g: ConvGeometry, _ j: Int) -> Range<Int> {
        let wo = g.outWidth
        // ox·s − p + j ≥ 0  ⇔ ox ≥ ceil((p − j)/s);  ox·s − p + j ≤ W − 1 ⇔ ox ≤ floor((W − 1 + p − j)/s)
        let lo = Swift.max(0, (g.padding - j + g.stride - 1) / g.stride)
        let hiInclusive = (g.width - 1 + g.padding - j)
        let hi = hiInclusive < 0 ? 0 : Swift.min(wo, hiInclusive / g.stride + 1)
        return lo..<Swift.max(lo, hi)
    }

    /// col `[C·kh·kw, Ho·Wo]` ← image `[C, H, W]`; row r of col starts at `col + r·pitch`
    /// (pitch ≥ Ho·Wo lets several images share one matrix, side by side).
    static func unfold(_ image: UnsafePointer<Float>, _ g: ConvGeometry, into col: UnsafeMutablePointer<Float>, pitch: Int) {
        if g.stride == 1 && g.outWidth == g.width {
            unfoldSameWidth(image, g, into: col, pitch: pitch)
            return
        }
        let (ho, wo, s, p) = (g.outHeight, g.outWidth, g.stride, g.padding)
        let (h, w) = (g.height, g.width)
        for c in 0..<g.inChannels {
            let plane = image + c * h * w
            for i in 0..<g.kernelH {
                for j in 0..<g.kernelW {
                    let row = col + ((c * g.kernelH + i) * g.kernelW + j) * pitch
                    let cols = validColumns(g, j)
                    for oy in 0..<ho {
                        let dst = row + oy * wo
                        let iy = oy * s - p + i
                        if iy < 0 || iy >= h || cols.isEmpty {
                            Vector.zero(dst, wo)
                            continue
                        }
                        Vector.zero(dst, cols.lowerBound)
                        Vector.zero(dst + cols.upperBound, wo - cols.upperBound)
                        let src = plane + iy * w - p + j
                        if s == 1 {
                            Vector.copy(src + cols.lowerBound, to: dst + cols.lowerBound, cols.count)
                        } else {
                            for ox in cols { dst[ox] = src[ox * s] }
                        }
                    }
                }
            }
        }
    }

    /// Stride 1 with output width = input width ("same" padding): each unfolded row is the whole plane
    /// shifted by `(i − p)·W + (j − p)`, copied in one run; the few border entries are then zeroed.
    static func unfoldSameWidth(
        _ image: UnsafePointer<Float>, _ g: ConvGeometry, into col: UnsafeMutablePointer<Float>, pitch: Int
    ) {
        let (ho, w, p) = (g.outHeight, g.width, g.padding)
        let planeSize = g.height * w, rowLength = ho * w
        for c in 0..<g.inChannels {
            let plane = image + c * planeSize
            for i in 0..<g.kernelH {
                for j in 0..<g.kernelW {
                    let dst = col + ((c * g.kernelH + i) * g.kernelW + j) * pitch
                    let shift = (i - p) * w + (j - p)
                    let lo = Swift.min(rowLength, Swift.max(0, -shift))
                    let hi = Swift.max(lo, Swift.min(rowLength, planeSize - shift))
                    Vector.zero(dst, lo)
                    Vector.copy(plane + lo + shift, to: dst + lo, hi - lo)
                    Vector.zero(dst + hi, rowLength - hi)
                    // Columns reading left or right of the plane picked up a neighbouring row: zero them.
                    let cols = validColumns(g, j)
                    for ox in 0..<cols.lowerBound { for oy in 0..<ho { dst[oy * w + ox] = 0 } }
                    for ox in cols.upperBound..<w { for oy in 0..<ho { dst[oy * w + ox] = 0 } }
                }
            }
        }
    }

    /// image `[C, H, W]` += fold(col `[C·kh·kw, Ho·Wo]`, rows `pitch` apart); the image must be zeroed by the caller.
    static func fold(_ col: UnsafePointer<Float>, _ g: ConvGeometry, into image: UnsafeMutablePointer<Float>, pitch: Int) {
        let (ho, wo, s, p) = (g.outHeight, g.outWidth, g.stride, g.padding)
        let (h, w) = (g.height, g.width)
        for c in 0..<g.inChannels {
            let plane = image + c * h * w
            for i in 0..<g.kernelH {
                for j in 0..<g.kernelW {
                    let row = col + ((c * g.kernelH + i) * g.kernelW + j) * pitch
                    let cols = validColumns(g, j)
                    if cols.isEmpty { continue }
                    for oy in 0..<ho {
                        let iy = oy * s - p + i
                        if iy < 0 || iy >= h { continue }
                        let src = row + oy * wo
                        let dst = plane + iy * w - p + j
                        if s == 1 {
                            for ox in cols { dst[ox] += src[ox] }
                        } else {
                            for ox in cols { dst[ox * s] += src[ox] }
                        }
                    }
                }
            }
        }
    }
}
