// Pixelate: pixelate's BOX resampling of each channel plane down to `int(S·c)` pixels per axis and
// back up to S, without rounding to 8 bits between the passes (PIL rounds, so bit equality with PIL's
// BOX is not promised). Each resize runs along W, then along H (PIL's horizontal pass comes first).

/// Which input pixels every output pixel averages, along one axis resized from n to m pixels.
struct BoxAxis {
    /// For each output pixel j, the first input pixel and how many follow.
    let spans: [(start: Int, count: Int)]

    /// Output pixel j averages the input pixels i whose centres `i + 0.5` lie in `(c_j − h, c_j + h]`,
    /// `c_j = (j + 0.5)·n/m`, `h = ½·max(n/m, 1)` (PIL's BOX filter with binary weights).
    init(from n: Int, to m: Int) {
        let scale = Double(n) / Double(m)
        let h = 0.5 * max(scale, 1)
        spans = (0..<m).map { j in
            let centre = (Double(j) + 0.5) * Double(n) / Double(m)
            let lo = centre - h, hi = centre + h
            let inside = (0..<n).filter { i in lo < Double(i) + 0.5 && Double(i) + 0.5 <= hi }
            return (inside.first ?? min(j, n - 1), max(inside.count, 1))
        }
    }

    /// Resamples `lines` lines of `src` (each `spans`'s n values `srcStride` apart, lines `lineStride`
    /// apart) into `dst` (m values per line, same strides): each output the sum in order / the count.
    func apply(
        _ src: UnsafePointer<Double>, into dst: UnsafeMutablePointer<Double>, lines: Int,
        lineStride: (src: Int, dst: Int), step: (src: Int, dst: Int)
    ) {
        for l in 0..<lines {
            let s = src + l * lineStride.src, d = dst + l * lineStride.dst
            for (j, span) in spans.enumerated() {
                var sum = 0.0
                for i in span.start..<(span.start + span.count) { sum += s[i * step.src] }
                d[j * step.dst] = sum / Double(span.count)
            }
        }
    }
}

/// The four resizes of one plane `[H, W]`: W down, H down, W up, H up.
struct Pixelate {
    let height: Int, width: Int
    /// The reduced size `[int(H·c), int(W·c)]` (at least 1).
    let small: (height: Int, width: Int)
    let downW: BoxAxis, downH: BoxAxis, upW: BoxAxis, upH: BoxAxis

    init(height: Int, width: Int, c: Double) {
        (self.height, self.width) = (height, width)
        small = (max(1, Int(Double(height) * c)), max(1, Int(Double(width) * c)))
        downW = BoxAxis(from: width, to: small.width)
        downH = BoxAxis(from: height, to: small.height)
        upW = BoxAxis(from: small.width, to: width)
        upH = BoxAxis(from: small.height, to: height)
    }

    /// Pixelates the plane `x` in place; `scratch` holds at least `2·H·W` values.
    func apply(_ x: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        let (h, w, sh, sw) = (height, width, small.height, small.width)
        let a = scratch, b = scratch + h * w
        downW.apply(x, into: a, lines: h, lineStride: (w, sw), step: (1, 1))  // [H, W] → [H, sw]
        downH.apply(a, into: b, lines: sw, lineStride: (1, 1), step: (sw, sw))  // → [sh, sw]
        upW.apply(b, into: a, lines: sh, lineStride: (sw, w), step: (1, 1))  // → [sh, W]
        upH.apply(a, into: x, lines: w, lineStride: (1, 1), step: (w, w))  // → [H, W]
    }
}
