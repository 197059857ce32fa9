// RGBImage: an 8-bit RGB raster `[H, W, 3]` with the few drawing operations the attention grid
// needs: fill, rectangles, scaled copies of a grayscale/RGB image, and text in the bitmap font.

/// An 8-bit RGB image, rows top to bottom, 3 bytes per pixel.
public struct RGBImage: Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `height * width * 3` bytes, row-major, R G B per pixel.
    public var pixels: [UInt8]

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        (self.width, self.height) = (max(0, width), max(0, height))
        var p = [UInt8](repeating: 0, count: self.width * self.height * 3)
        for i in 0..<(self.width * self.height) { (p[3 * i], p[3 * i + 1], p[3 * i + 2]) = fill }
        pixels = p
    }

    /// The pixel at (x, y); black outside the image.
    public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        guard x >= 0, y >= 0, x < width, y < height else { return (0, 0, 0) }
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Sets the pixel at (x, y); points outside the image are ignored.
    public mutating func set(x: Int, y: Int, _ c: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        (pixels[i], pixels[i + 1], pixels[i + 2]) = c
    }

    /// Fills the rectangle at (x, y) of size w × h (clipped).
    public mutating func fill(x: Int, y: Int, w: Int, h: Int, _ c: (UInt8, UInt8, UInt8)) {
        for yy in max(0, y)..<max(max(0, y), min(height, y + h)) {
            for xx in max(0, x)..<max(max(0, x), min(width, x + w)) { set(x: xx, y: yy, c) }
        }
    }

    /// Draws `text` with its top-left corner at (x, y), each font pixel `scale` × `scale`.
    public mutating func draw(text: String, x: Int, y: Int, scale: Int = 2, color: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        var cx = x
        for ch in text {
            let rows = BitmapFont.glyph(ch)
            for (r, row) in rows.enumerated() {
                for (c, on) in row.enumerated() where on { fill(x: cx + c * scale, y: y + r * scale, w: scale, h: scale, color) }
            }
            cx += BitmapFont.advance * scale
        }
    }
}

/// One input image as RGB in [0, 1] (channels 1 or 3), `[H, W]` planes.
public struct InputImage {
    /// Rows and columns.
    public let height: Int, width: Int
    /// Red, green, blue planes of `height * width` values in [0, 1] (equal for a grayscale image).
    public let r: [Float], g: [Float], b: [Float]

    /// From raw bytes `[C, H, W]` with C = 1 (grayscale) or 3 (RGB); other channel counts show the
    /// first channel as gray, and missing bytes are black.
    public init(bytes: [UInt8], channels: Int, height: Int, width: Int) {
        (self.height, self.width) = (max(0, height), max(0, width))
        let plane = self.height * self.width
        var f = bytes.map { Float($0) / 255 }
        if f.count < max(1, channels) * plane { f += [Float](repeating: 0, count: max(1, channels) * plane - f.count) }
        r = Array(f[0..<plane])
        g = channels == 3 ? Array(f[plane..<2 * plane]) : r
        b = channels == 3 ? Array(f[2 * plane..<3 * plane]) : r
    }
}
