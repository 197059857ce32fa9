// PoolKernels: max and average pooling over NCHW planes, for fixed windows (kernel, stride,
// padding) and adaptive ones (PyTorch's floor/ceil bins). Max pooling records each winner's index.

/// A pooling window layout for one plane: for output row/column i, the input range it covers.
public struct PoolWindows: Sendable {
    public let inH, inW, outH, outW: Int
    /// Input row range for each output row (clipped to the plane).
    let rows: [Range<Int>]
    /// Input column range for each output column (clipped to the plane).
    let cols: [Range<Int>]
    /// Averaging divisor per output row/column (count_include_pad for fixed windows).
    let rowDivisors: [Int]
    let colDivisors: [Int]

    /// kernel/stride/padding windows (PyTorch max_pool2d / avg_pool2d with count_include_pad).
    public init(inH: Int, inW: Int, kernel: Int, stride: Int, padding: Int) {
        func axis(_ n: Int) -> ([Range<Int>], [Int]) {
            let out = (n + 2 * padding - kernel) / stride + 1
            var ranges: [Range<Int>] = [], divisors: [Int] = []
            for o in 0..<Swift.max(out, 0) {
                let start = o * stride - padding
                let endPadded = Swift.min(start + kernel, n + padding)
                divisors.append(endPadded - start)
                ranges.append(Swift.max(start, 0)..<Swift.min(start + kernel, n))
            }
            return (ranges, divisors)
        }
        (rows, rowDivisors) = axis(inH)
        (cols, colDivisors) = axis(inW)
        (self.inH, self.inW, outH, outW) = (inH, inW, rows.count, cols.count)
    }

    /// Whether these are the plain 2x2, stride-2, unpadded windows (floor division of the size).
    public var isPlain2x2: Bool {
        rows.enumerated().allSatisfy { $0.element == (2 * $0.offset)..<(2 * $0.offset + 2) }
            && cols.enumerated().allSatisfy { $0.element == (2 * $0.offset)..<(2 * $0.offset + 2) }
    }

    /// Adaptive windows: output i covers `floor(i·n/out) ..< ceil((i+1)·n/out)`.
    public init(inH: Int, inW: Int, outH: Int, outW: Int) {
        func axis(_ n: Int, _ out: Int) -> [Range<Int>] {
            (0..<out).map { i in (i * n / out)..<(((i + 1) * n + out - 1) / out) }
        }
        rows = axis(inH, outH)
        cols = axis(inW, outW)
        rowDivisors = rows.map(\.count)
        colDivisors = cols.map(\.count)
        (self.inH, self.inW, self.outH, self.outW) = (inH, inW, outH, outW)
    }
}

/// Pooling over `planes` consecutive `[H, W]` planes.
public enum PoolKernels {
    /// y = max over each window; `argmax` receives the winner's index within its input plane.
    public static func maxForward(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>,
        planes: Int, _ win: PoolWindows
    ) {
        if win.isPlain2x2 {
            max2x2(x: x, y: y, argmax: argmax, planes: planes, win)
            return
        }
        let (inSize, outSize) = (win.inH * win.inW, win.outH * win.outW)
        Parallel.chunks(planes, minPerThread: 8) { range in
            for pl in range {
                let src = x + pl * inSize, dst = y + pl * outSize, idx = argmax + pl * outSize
                for oy in 0..<win.outH {
                    let rows = win.rows[oy]
                    for ox in 0..<win.outW {
                        let cols = win.cols[ox]
                        var best = -Float.infinity, at = rows.lowerBound * win.inW + cols.lowerBound
                        for iy in rows {
                            for ix in cols where src[iy * win.inW + ix] > best || src[iy * win.inW + ix].isNaN {
                                best = src[iy * win.inW + ix]
                                at = iy * win.inW + ix
                                if best.isNaN { break }
                            }
                        }
                        dst[oy * win.outW + ox] = best
                        idx[oy * win.outW + ox] = Int32(at)
                    }
                }
            }
        }
    }

    /// The common 2x2, stride-2, unpadded case without per-window bookkeeping.
    static func max2x2(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>,
        planes: Int, _ win: PoolWindows
    ) {
        let (w, oh, ow) = (win.inW, win.outH, win.outW)
        let (inSize, outSize) = (win.inH * w, oh * ow)
        Parallel.chunks(planes, minPerThread: 16) { range in
            for pl in range {
                let src = x + pl * inSize, dst = y + pl * outSize, idx = argmax + pl * outSize
                for oy in 0..<oh {
                    let r0 = 2 * oy * w, r1 = r0 + w
                    for ox in 0..<ow {
                        var at = r0 + 2 * ox, best = src[at]
                        if src[r0 + 2 * ox + 1] > best { at = r0 + 2 * ox + 1; best = src[at] }
                        if src[r1 + 2 * ox] > best { at = r1 + 2 * ox; best = src[at] }
                        if src[r1 + 2 * ox + 1] > best { at = r1 + 2 * ox + 1; best = src[at] }
                        dst[oy * ow + ox] = best
                        idx[oy * ow + ox] = Int32(at)
                    }
                }
            }
        }
    }

    /// dx = scatter of dy to the recorded winners (dx overwritten).
    public static func maxBackward(
        dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, dx: UnsafeMutablePointer<Float>,
        planes: Int, _ win: PoolWindows
    ) {
        let (inSize, outSize) = (win.inH * win.inW, win.outH * win.outW)
        Parallel.chunks(planes, minPerThread: 8) { range in
            for pl in range {
                let g = dy + pl * outSize, idx = argmax + pl * outSize, d = dx + pl * inSize
                d.update(repeating: 0, count: inSize)
                for o in 0..<outSize { d[Int(idx[o])] += g[o] }
            }
        }
    }

    /// y = mean over each window (divisor from the window layout).
    public static func averageForward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, planes: Int, _ win: PoolWindows) {
        let (inSize, outSize) = (win.inH * win.inW, win.outH * win.outW)
        Parallel.chunks(planes, minPerThread: 8) { range in
            for pl in range {
                let src = x + pl * inSize, dst = y + pl * outSize
                for oy in 0..<win.outH {
                    for ox in 0..<win.outW {
                        var s: Float = 0
                        for iy in win.rows[oy] { for ix in win.cols[ox] { s += src[iy * win.inW + ix] } }
                        dst[oy * win.outW + ox] = s / Float(win.rowDivisors[oy] * win.colDivisors[ox])
                    }
                }
            }
        }
    }

    /// dx = each dy spread evenly over its window (dx overwritten).
    public static func averageBackward(dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, planes: Int, _ win: PoolWindows)
    {
        let (inSize, outSize) = (win.inH * win.inW, win.outH * win.outW)
        Parallel.chunks(planes, minPerThread: 8) { range in
            for pl in range {
                let g = dy + pl * outSize, d = dx + pl * inSize
                d.update(repeating: 0, count: inSize)
                for oy in 0..<win.outH {
                    for ox in 0..<win.outW {
                        let v = g[oy * win.outW + ox] / Float(win.rowDivisors[oy] * win.colDivisors[ox])
                        for iy in win.rows[oy] { for ix in win.cols[ox] { d[iy * win.inW + ix] += v } }
                    }
                }
            }
        }
    }
}
