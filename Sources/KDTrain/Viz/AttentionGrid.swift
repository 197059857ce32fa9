// AttentionGrid: lays out attention maps as a grid (rows: networks; columns: the input, then each
// tap's map blended over the input) with a title, row names and a caption under every cell, and
// renders it as an RGB image (labels in the bitmap font) or an SVG (the image plus text labels).

import Foundation
import KDReport

/// One network's row of the grid.
public struct AttentionRow {
    /// Row name (`student lenet5`).
    public var name: String
    /// Maps in column order.
    public var maps: [AttentionMap]

    /// A row.
    public init(name: String, maps: [AttentionMap]) { (self.name, self.maps) = (name, maps) }
}

/// A grid of attention maps over one input image.
public struct AttentionGrid {
    /// The input image.
    public var input: InputImage
    /// Rows, top to bottom.
    public var rows: [AttentionRow]
    /// Title line above the grid.
    public var title: String
    /// Each cell is the input size times this.
    public var scale: Int
    /// Weight of the colour map over the image.
    public var alpha: Float = 0.6

    /// Spacing, font scale and label geometry.
    static let (margin, gap, fontScale) = (8, 6, 2)
    static var lineHeight: Int { BitmapFont.height * fontScale + 6 }

    /// A grid; `scale` nil picks the smallest integer scale making cells at least 96 pixels tall.
    public init(input: InputImage, rows: [AttentionRow], title: String, scale: Int? = nil) {
        (self.input, self.rows, self.title) = (input, rows, title)
        self.scale = max(1, scale ?? (96 + input.height - 1) / max(input.height, 1))
    }

    /// Cell width and height in pixels.
    public var cellSize: (width: Int, height: Int) { (input.width * scale, input.height * scale) }
    /// Columns: the input plus the most maps of any row.
    public var columns: Int { 1 + (rows.map(\.maps.count).max() ?? 0) }
    /// Width of the row-name column.
    var labelWidth: Int { (rows.map { BitmapFont.width($0.name, scale: Self.fontScale) }.max() ?? 0) + Self.gap * 2 }
    /// Height of one row: cell plus caption.
    var rowHeight: Int { cellSize.height + Self.lineHeight + Self.gap }

    /// Image size.
    public var size: (width: Int, height: Int) {
        let w = Self.margin * 2 + labelWidth + columns * (cellSize.width + Self.gap)
        return (
            max(w, Self.margin * 2 + BitmapFont.width(title, scale: Self.fontScale)),
            Self.margin * 2 + Self.lineHeight + rows.count * rowHeight
        )
    }

    /// Top-left corner of cell (row, column); column 0 is the input.
    public func cellOrigin(row: Int, column: Int) -> (x: Int, y: Int) {
        (Self.margin + labelWidth + column * (cellSize.width + Self.gap), Self.margin + Self.lineHeight + row * rowHeight)
    }

    /// Every label: text and top-left corner (bitmap font coordinates).
    public var labels: [(text: String, x: Int, y: Int)] {
        var out: [(String, Int, Int)] = [(title, Self.margin, Self.margin)]
        for (r, row) in rows.enumerated() {
            let origin = cellOrigin(row: r, column: 0)
            out.append((row.name, Self.margin, origin.y + (cellSize.height - BitmapFont.height * Self.fontScale) / 2))
            for (c, caption) in (["input"] + row.maps.map(\.tap)).enumerated() {
                let o = cellOrigin(row: r, column: c)
                out.append((caption, o.x, o.y + cellSize.height + 4))
            }
        }
        return out
    }

    /// The grid as pixels; `text` draws the labels.
    public func render(text: Bool = true) -> RGBImage {
        let (w, h) = size
        var image = RGBImage(width: w, height: h)
        let (cw, ch) = cellSize
        for (r, row) in rows.enumerated() {
            let o = cellOrigin(row: r, column: 0)
            for y in 0..<ch {
                for x in 0..<cw {
                    let k = (y / scale) * input.width + x / scale
                    image.set(x: o.x + x, y: o.y + y, (byte(input.r[k]), byte(input.g[k]), byte(input.b[k])))
                }
            }
            for (c, map) in row.maps.enumerated() {
                let origin = cellOrigin(row: r, column: c + 1)
                let up = map.resized(height: ch, width: cw)
                for y in 0..<ch {
                    for x in 0..<cw {
                        let k = (y / scale) * input.width + x / scale
                        image.set(
                            x: origin.x + x, y: origin.y + y,
                            Colormap.blend(base: (input.r[k], input.g[k], input.b[k]), t: up[y * cw + x], alpha: alpha))
                    }
                }
            }
        }
        if text { for l in labels { image.draw(text: l.text, x: l.x, y: l.y, scale: Self.fontScale) } }
        return image
    }

    /// The grid as an SVG document: the pixels (without bitmap text) as an embedded PNG, labels as text.
    public func svg() throws -> String {
        let (w, h) = size
        let png = Data(try PNG.encode(render(text: false))).base64EncodedString()
        var children = [
            SVGElement(
                "image",
                [
                    ("x", "0"), ("y", "0"), ("width", String(w)), ("height", String(h)),
                    ("style", "image-rendering:pixelated"), ("href", "data:image/png;base64," + png),
                ])
        ]
        for l in labels { children.append(SVGElement.label(l.text, x: Double(l.x), y: Double(l.y + 10), cls: "label")) }
        return SVGElement.document(width: Double(w), height: Double(h), children: children).fileText()
    }

    func byte(_ v: Float) -> UInt8 { UInt8(min(max((v * 255).rounded(), 0), 255)) }
}
