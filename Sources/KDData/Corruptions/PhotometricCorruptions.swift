// PhotometricCorruptions: contrast ((x − m)·c + m, m the channel's mean) and brightness (gray x + c;
// RGB through HSV as skimage's rgb2hsv/hsv2rgb, value + c clipped to [0, 1]), on pixel values in [0, 1].

import Foundation

/// The two deterministic colour corruptions.
enum PhotometricCorruptions {
    /// Each channel plane of `plane` values: `(x − m)·c + m`, m its mean (summed in order, divided by the count).
    static func contrast(_ x: UnsafeMutableBufferPointer<Double>, channels: Int, plane: Int, c: Double) {
        for ch in 0..<channels {
            let base = ch * plane
            var sum = 0.0
            for k in 0..<plane { sum += x[base + k] }
            let m = sum / Double(plane)
            for k in 0..<plane { x[base + k] = (x[base + k] - m) * c + m }
        }
    }

    /// Gray (one channel): `x + c` (skimage's gray→HSV→V+c→gray, clipped afterwards). Three channels:
    /// each pixel's (r, g, b) to HSV, `v = clip(v + c, 0, 1)`, back to RGB.
    static func brightness(_ x: UnsafeMutableBufferPointer<Double>, channels: Int, plane: Int, c: Double) {
        guard channels == 3 else {
            for k in 0..<x.count { x[k] = x[k] + c }
            return
        }
        for k in 0..<plane {
            let (h, s, v) = rgbToHSV(x[k], x[plane + k], x[2 * plane + k])
            (x[k], x[plane + k], x[2 * plane + k]) = hsvToRGB(h, s, min(max(v + c, 0), 1))
        }
    }

    /// skimage `rgb2hsv` for one pixel: v = max; delta = max − min; s = delta / v; hue from the channel
    /// holding the max (blue over green over red on ties), `(h / 6) mod 1`; h = s = 0 where delta = 0.
    static func rgbToHSV(_ r: Double, _ g: Double, _ b: Double) -> (Double, Double, Double) {
        let v = max(max(r, g), b)
        let delta = v - min(min(r, g), b)
        guard delta != 0 else { return (0, 0, v) }
        let s = delta / v
        let h6: Double
        if b == v {
            h6 = 4 + (r - g) / delta
        } else if g == v {
            h6 = 2 + (b - r) / delta
        } else {
            h6 = (g - b) / delta
        }
        return (pythonMod1(h6 / 6), s, v)
    }

    /// skimage `hsv2rgb` for one pixel: i = floor(6h) mod 6, f = 6h − floor(6h), p = v(1 − s),
    /// q = v(1 − f·s), t = v(1 − (1 − f)·s).
    static func hsvToRGB(_ h: Double, _ s: Double, _ v: Double) -> (Double, Double, Double) {
        let hi = (h * 6).rounded(.down)
        let f = h * 6 - hi
        let p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s)
        switch Int(hi) % 6 {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }

    /// `a mod 1` with Python's (numpy's) sign rule: the result is in [0, 1).
    static func pythonMod1(_ a: Double) -> Double {
        let m = fmod(a, 1)
        return m < 0 ? m + 1 : m
    }
}
