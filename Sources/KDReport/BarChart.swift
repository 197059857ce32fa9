// BarChart: an SVG bar chart of categories (groups) with one bar per series (last-epoch, best-epoch)
// and ± error bars; category labels in lines under their bars. Bars carry their value and error as
// data-* attributes. The y axis starts at zero unless every bar is in the top half of the range
// (accuracies of 88-93%), where it starts just below the lowest bar so that differences show.

import Foundation

/// One kind of bar across the categories.
public struct BarSeries {
    /// Legend text.
    public var label: String
    /// Height of the bar of each category (nil: no bar).
    public var values: [Double?]
    /// Half-length of each error bar (nil: none).
    public var errors: [Double?]

    /// A series; `errors` defaults to none.
    public init(label: String, values: [Double?], errors: [Double?] = []) {
        (self.label, self.values) = (label, values)
        self.errors = errors.count == values.count ? errors : values.map { _ in nil }
    }
}

/// A bar chart with error bars.
public struct BarChart {
    /// Title above the plot.
    public var title: String
    /// The y axis title.
    public var yLabel: String
    /// Category names along the x axis.
    public var categories: [String]
    /// Bars of each category, side by side.
    public var series: [BarSeries]

    /// A chart.
    public init(title: String, yLabel: String, categories: [String], series: [BarSeries]) {
        (self.title, self.yLabel, self.categories, self.series) = (title, yLabel, categories, series)
    }

    /// The chart as a `<g class="chart">` placed at (x, y), at least `minWidth` wide; returns it with its size.
    /// Category labels are split into lines at ", " and each category is as wide as its widest line.
    public func render(x: Double = 0, y: Double = 0, minWidth: Double, plotHeight: Double = 260)
        -> (element: SVGElement, width: Double, height: Double)
    {
        let cw = ChartAxes.charWidth
        let legendWidth = min(220, Double(series.map(\.label.count).max() ?? 0) * cw + 40)
        let lines = categories.map { $0.components(separatedBy: ", ") }
        let widest = Double(lines.flatMap { $0.map(\.count) }.max() ?? 0) * cw
        let (left, top) = (58.0, 30.0)
        let n = Double(max(categories.count, 1))
        let slot = max(60, widest + 14, (minWidth - left - legendWidth) / n)
        let w = slot * n
        let bottom = 30 + Double(lines.map(\.count).max() ?? 1) * 14
        let h = plotHeight
        var tops: [Double] = [], bottoms: [Double] = []
        for s in series {
            for (v, e) in zip(s.values, s.errors) {
                if let v { (tops, bottoms) = (tops + [v + (e ?? 0)], bottoms + [v - (e ?? 0)]) }
            }
        }
        let (low, high) = (bottoms.min() ?? 0, tops.max() ?? 1)
        let zoomed = low > 0 && low > 0.5 * high
        let ys =
            zoomed
            ? ChartScale(covering: [low - 0.25 * max(high - low, 0.5), high], count: 5)
            : ChartScale(covering: tops, count: 5, includeZero: true)
        let base = zoomed ? ys.lo : 0
        var chart = SVGElement("g", [("class", "chart"), ("transform", SVGElement.translate(x, y))])
        chart.add(
            SVGElement.label(title, x: left + w / 2, y: 18, anchor: "middle", cls: "title", extra: [("font-weight", "bold")]))
        var area = SVGElement(
            "g",
            [
                ("class", "plot-area"), ("transform", SVGElement.translate(left, top)),
                ("data-y-min", SVGElement.value(ys.lo)), ("data-y-max", SVGElement.value(ys.hi)),
                ("data-width", SVGElement.num(w)), ("data-height", SVGElement.num(h)),
            ])
        area.children += ChartAxes.grid(xs: nil, ys: ys, width: w, height: h)
        let barWidth = slot * 0.8 / Double(max(series.count, 1))
        for (c, name) in categories.enumerated() {
            let x0 = Double(c) * slot + slot * 0.1
            for (k, s) in series.enumerated() {
                guard c < s.values.count, let v = s.values[c] else { continue }
                let bx = x0 + Double(k) * barWidth
                let (yTop, yZero) = (ys.position(v, length: h, flipped: true), ys.position(base, length: h, flipped: true))
                var attrs: [(String, String)] = [
                    ("class", "bar"), ("x", SVGElement.num(bx)), ("y", SVGElement.num(min(yTop, yZero))),
                    ("width", SVGElement.num(barWidth * 0.92)), ("height", SVGElement.num(abs(yZero - yTop))),
                    ("fill", ChartPalette.color(k)), ("data-category", name), ("data-series", s.label),
                    ("data-value", SVGElement.value(v)),
                ]
                if let e = s.errors[c] { attrs.append(("data-error", SVGElement.value(e))) }
                area.add(SVGElement("rect", attrs))
                if let e = s.errors[c], e > 0 {
                    let cx = bx + barWidth * 0.46
                    let (y1, y2) = (ys.position(v - e, length: h, flipped: true), ys.position(v + e, length: h, flipped: true))
                    let d =
                        "M\(SVGElement.num(cx)) \(SVGElement.num(y1)) V\(SVGElement.num(y2)) "
                        + "M\(SVGElement.num(cx - 4)) \(SVGElement.num(y1)) H\(SVGElement.num(cx + 4)) "
                        + "M\(SVGElement.num(cx - 4)) \(SVGElement.num(y2)) H\(SVGElement.num(cx + 4))"
                    area.add(
                        SVGElement(
                            "path",
                            [
                                ("class", "error-bar"), ("d", d), ("stroke", "#222"), ("stroke-width", "1.2"), ("fill", "none"),
                                ("data-low", SVGElement.value(v - e)), ("data-high", SVGElement.value(v + e)),
                            ]))
                }
            }
            let cx = Double(c) * slot + slot / 2
            let spans = lines[c].enumerated().map { k, part in
                SVGElement("tspan", [("x", SVGElement.num(cx)), ("dy", k == 0 ? "0" : "14")], text: part)
            }
            area.add(
                SVGElement(
                    "text",
                    [
                        ("class", "category"), ("x", SVGElement.num(cx)), ("y", SVGElement.num(h + 17)),
                        ("text-anchor", "middle"),
                    ], children: spans))
        }
        chart.add(area)
        chart.children += ChartAxes.titles(x: "", y: yLabel, left: left, top: top, width: w, height: h)
        chart.add(
            ChartAxes.legend(
                series.enumerated().map { ($0.element.label, ChartPalette.color($0.offset), false) },
                x: left + w + 14, y: top + 4))
        return (chart, left + w + legendWidth, top + h + bottom)
    }
}
