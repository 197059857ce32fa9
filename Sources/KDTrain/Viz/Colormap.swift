// Colormap: a perceptually ordered colour scale (inferno-like: black, purple, red, orange, pale yellow)
// for attention maps, by linear interpolation between nine anchors, and blending over an image.

/// Colours for values in [0, 1].
public enum Colormap {
    /// Anchors at 0, 1/8, ..., 1 (approximately matplotlib's inferno).
    static let anchors: [(Float, Float, Float)] = [
        (0, 0, 4), (31, 12, 72), (85, 15, 109), (136, 34, 106), (186, 54, 85), (227, 89, 51), (249, 140, 10),
        (249, 201, 50), (252, 255, 164),
    ]

    /// The colour of `t` (clamped to [0, 1]) as floats in [0, 255].
    public static func color(_ t: Float) -> (Float, Float, Float) {
        let x = (t.isFinite ? min(max(t, 0), 1) : 0) * Float(anchors.count - 1)
        let i = min(Int(x), anchors.count - 2)
        let f = x - Float(i)
        let (a, b) = (anchors[i], anchors[i + 1])
        return (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    }

    /// `(1 − alpha) · base + alpha · color(t)`, channels in [0, 255] (base in [0, 1]), rounded to bytes.
    public static func blend(base: (Float, Float, Float), t: Float, alpha: Float) -> (UInt8, UInt8, UInt8) {
        let c = color(t)
        func mix(_ b: Float, _ m: Float) -> UInt8 { UInt8(min(max(((1 - alpha) * b * 255 + alpha * m).rounded(), 0), 255)) }
        return (mix(base.0, c.0), mix(base.1, c.1), mix(base.2, c.2))
    }
}
