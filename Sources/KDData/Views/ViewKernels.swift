// ViewKernels: an ImageView's steps prepared for one input shape (area weights and blur kernels built
// once), run on one image of byte values in [0, 255] as Doubles, `[C, H, W]`, between two buffers.

import Foundation
import KDTensor

/// The steps of a view, each with the image shape it receives.
struct ViewKernels {
    private enum Kernel {
        case area(rows: AreaAxis, columns: AreaAxis)
        case crop(top: Int, left: Int, height: Int, width: Int)
        case noise(scale: Double, seed: UInt64)
        case blur(GaussianBlur)
        case channel(Int)
    }

    private let kernels: [(kernel: Kernel, shape: [Int])]
    /// Doubles of scratch space `run` needs (the blur's).
    let scratchCount: Int

    /// `steps` for images of shape `input` `[C, H, W]` (already checked by `ImageView.outputShape`).
    init(_ steps: [ViewStep], input: [Int]) {
        var shape = input
        var out: [(Kernel, [Int])] = []
        var scratch = 1
        for step in steps {
            let (h, w) = (shape[1], shape[2])
            switch step {
            case let .downsample(oh, ow):
                out.append((.area(rows: AreaAxis(from: h, to: oh), columns: AreaAxis(from: w, to: ow)), shape))
            case let .crop(top, left, ch, cw): out.append((.crop(top: top, left: left, height: ch, width: cw), shape))
            case let .noise(sigma, seed): out.append((.noise(scale: 255 * sigma, seed: seed), shape))
            case .blur(let sigma):
                let blur = GaussianBlur(sigma: sigma)
                scratch = max(scratch, h * w + max(h, w) + 2 * blur.radius)
                out.append((.blur(blur), shape))
            case .channel(let c): out.append((.channel(c), shape))
            }
            if case .success(let next) = step.outputShape(shape) { shape = next }
        }
        kernels = out
        scratchCount = scratch
    }

    /// Runs every step on the image in `a` (input shape), using `b` as the other buffer (both hold the input's
    /// size); returns the buffer holding the result. `origin` is the image's position in its file (noise streams).
    func run(
        _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>,
        origin: Int
    ) -> UnsafeMutablePointer<Double> {
        var (x, y) = (a, b)
        for (kernel, shape) in kernels {
            let (c, h, w) = (shape[0], shape[1], shape[2])
            switch kernel {
            case let .area(rows, columns):
                // Rows first (H → h) into y, then columns (W → w) back into x.
                for ch in 0..<c { rows.apply(x + ch * h * w, into: y + ch * rows.outCount * w, lines: w, stride: w) }
                for ch in 0..<c {
                    for r in 0..<rows.outCount {
                        columns.apply(
                            y + (ch * rows.outCount + r) * w, into: x + (ch * rows.outCount + r) * columns.outCount, lines: 1,
                            stride: 1)
                    }
                }
            case let .crop(top, left, ch, cw):
                for k in 0..<c {
                    for r in 0..<ch { (y + (k * ch + r) * cw).update(from: x + k * h * w + (top + r) * w + left, count: cw) }
                }
                swap(&x, &y)
            case let .noise(scale, seed):
                var rng = SeededGenerator(seed: seed, streams: [UInt64(origin)])
                for k in 0..<(c * h * w) { x[k] = min(max(x[k] + scale * rng.normalDouble(), 0), 255) }
            case .blur(let blur):
                for k in 0..<c { blur.apply(x + k * h * w, height: h, width: w, scratch: scratch) }
            case .channel(let k):
                y.update(from: x + k * h * w, count: h * w)
                swap(&x, &y)
            }
        }
        return x
    }
}

/// Area averaging along one axis from n to m ≤ n pixels: output j averages the input interval
/// `[j·n/m, (j+1)·n/m)`, each input pixel weighted by its overlap with it (OpenCV's INTER_AREA; PyTorch's
/// `interpolate(mode="area")` when m divides n). Overlaps are counted in units of 1/m, so they are whole
/// numbers and an integer factor averages exactly.
struct AreaAxis {
    /// Per output pixel: the first input pixel and the overlaps of it and the following ones.
    let spans: [(start: Int, weights: [Double])]
    /// The divisor of every weighted sum (n, the interval's length in units of 1/m).
    let total: Double
    var outCount: Int { spans.count }

    init(from n: Int, to m: Int) {
        total = Double(n)
        spans = (0..<m).map { j in
            let (lo, hi) = (j * n, (j + 1) * n)  // the interval, in units of 1/m
            let first = lo / m, last = (hi - 1) / m
            return (first, (first...last).map { i in Double(min(hi, (i + 1) * m) - max(lo, i * m)) })
        }
    }

    /// Resamples `lines` lines of `src` (values `stride` apart along the axis, line l starting at `src + l`
    /// when stride > 1, else one line) into `dst` (same layout, m values along the axis).
    func apply(_ src: UnsafePointer<Double>, into dst: UnsafeMutablePointer<Double>, lines: Int, stride: Int) {
        for l in 0..<lines {
            for (j, span) in spans.enumerated() {
                var acc = 0.0
                for (k, weight) in span.weights.enumerated() { acc += src[l + (span.start + k) * stride] * weight }
                dst[l + j * stride] = acc / total
            }
        }
    }
}
