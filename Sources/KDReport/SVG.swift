// SVG: a tiny XML builder for the report's drawings: elements with ordered attributes, text and
// children; attribute values and text escaped; coordinates written with at most two decimals.

import Foundation

/// One element of an SVG drawing.
public struct SVGElement {
    /// Tag name (`svg`, `g`, `line`, `text`).
    public var name: String
    /// Attributes in the order written.
    public var attributes: [(name: String, value: String)]
    /// Text content (escaped when rendered).
    public var text: String?
    /// Child elements.
    public var children: [SVGElement]

    /// An element; attribute values are raw text (escaped when rendered).
    public init(_ name: String, _ attributes: [(String, String)] = [], text: String? = nil, children: [SVGElement] = []) {
        self.name = name
        self.attributes = attributes.map { (name: $0.0, value: $0.1) }
        self.text = text
        self.children = children
    }

    /// Appends a child.
    public mutating func add(_ child: SVGElement) { children.append(child) }

    /// The element as XML text (children on their own lines).
    public func rendered() -> String {
        var out = ""
        render(into: &out)
        return out
    }

    private func render(into out: inout String) {
        out += "<" + name
        for a in attributes { out += " " + a.name + "=\"" + SVGElement.escape(a.value) + "\"" }
        if text == nil && children.isEmpty { out += "/>"; return }
        out += ">"
        if let text { out += SVGElement.escape(text) }
        if !children.isEmpty {
            out += "\n"
            for c in children { c.render(into: &out); out += "\n" }
        }
        out += "</" + name + ">"
    }

    /// A standalone `<svg>` root of the given size.
    public static func document(width: Double, height: Double, children: [SVGElement]) -> SVGElement {
        SVGElement(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"), ("width", num(width)), ("height", num(height)),
                ("viewBox", "0 0 \(num(width)) \(num(height))"), ("font-family", "Helvetica, Arial, sans-serif"),
                ("font-size", "12"),
            ], children: children)
    }

    /// A file's text: XML declaration and the element.
    public func fileText() -> String { "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + rendered() + "\n" }

    /// A coordinate with at most two decimals and no trailing zeros (`12.5`, `3`, `0`).
    public static func num(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let r = (x * 100).rounded() / 100
        if r == 0 { return "0" }
        if r == r.rounded() && abs(r) < 1e15 { return String(Int(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    /// A data value for `data-*` attributes: six significant digits.
    public static func value(_ x: Double) -> String {
        guard x.isFinite else { return "NaN" }
        return String(format: "%.6g", x)
    }

    /// `s` with `& < > " '` escaped, and control characters other than tab and newline dropped.
    public static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if u.value < 0x20 && u != "\n" && u != "\t" { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// `translate(x,y)`.
    public static func translate(_ x: Double, _ y: Double) -> String { "translate(\(num(x)),\(num(y)))" }

    /// A text element at (x, y).
    public static func label(
        _ text: String, x: Double, y: Double, anchor: String = "start", cls: String? = nil,
        extra: [(String, String)] = []
    ) -> SVGElement {
        var attrs: [(String, String)] = cls.map { [("class", $0)] } ?? []
        attrs += [("x", num(x)), ("y", num(y)), ("text-anchor", anchor)] + extra
        return SVGElement("text", attrs, text: text)
    }
}

/// Colours of successive series (Tableau 10).
public enum ChartPalette {
    /// Hex colours in order.
    public static let colors = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
        "#9c755f", "#bab0ac",
    ]
    /// The colour of series `i` (cycling).
    public static func color(_ i: Int) -> String { colors[((i % colors.count) + colors.count) % colors.count] }
}
