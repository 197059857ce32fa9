// LineChart: an SVG line chart with axes, ticks, grid lines, axis titles and a legend. The plot area
// carries its data ranges and pixel size as data-* attributes and every point its data values, so
// the drawing can be checked against the numbers it shows.

/// One line of a chart.
public struct LineSeries {
    /// Legend text.
    public var label: String
    /// (x, y) in data units, in drawing order.
    public var points: [(x: Double, y: Double)]
    /// Dashed stroke (e.g. the total loss among its terms).
    public var dashed: Bool
    /// Points only, no line between them (a scatter: trials off a Pareto front).
    public var markersOnly = false

    /// A series.
    public init(label: String, points: [(x: Double, y: Double)], dashed: Bool = false, markersOnly: Bool = false) {
        (self.label, self.points, self.dashed, self.markersOnly) = (label, points, dashed, markersOnly)
    }
}

/// A line chart.
public struct LineChart {
    /// Title above the plot.
    public var title: String
    /// Axis titles.
    public var xLabel: String, yLabel: String
    /// The lines.
    public var series: [LineSeries]
    /// Ticks of the x axis on whole numbers (epochs).
    public var integralX = true

    /// A chart.
    public init(title: String, xLabel: String, yLabel: String, series: [LineSeries]) {
        (self.title, self.xLabel, self.yLabel, self.series) = (title, xLabel, yLabel, series)
    }

    /// Width of the legend column for these labels.
    var legendWidth: Double { min(560, Double(series.map(\.label.count).max() ?? 0) * ChartAxes.charWidth + 40) }

    /// Height the legend needs (18 px a line, below the title).
    var legendHeight: Double { 34 + 18 * Double(series.count) }

    /// The chart as a `<g class="chart">` of size `width` × `height` placed at (x, y).
    public func render(x: Double = 0, y: Double = 0, width: Double, height: Double) -> SVGElement {
        let (left, top, bottom) = (58.0, 30.0, 42.0)
        let right = series.isEmpty ? 16 : legendWidth
        let (w, h) = (max(40, width - left - right), max(40, height - top - bottom))
        let xs = ChartScale(covering: series.flatMap { $0.points.map(\.x) }, count: 6, integral: integralX)
        let ys = ChartScale(covering: series.flatMap { $0.points.map(\.y) }, count: 5)
        var chart = SVGElement("g", [("class", "chart"), ("transform", SVGElement.translate(x, y))])
        chart.add(
            SVGElement.label(title, x: left + w / 2, y: 18, anchor: "middle", cls: "title", extra: [("font-weight", "bold")]))
        var area = SVGElement(
            "g",
            [
                ("class", "plot-area"), ("transform", SVGElement.translate(left, top)),
                ("data-x-min", SVGElement.value(xs.lo)), ("data-x-max", SVGElement.value(xs.hi)),
                ("data-y-min", SVGElement.value(ys.lo)), ("data-y-max", SVGElement.value(ys.hi)),
                ("data-width", SVGElement.num(w)), ("data-height", SVGElement.num(h)),
            ])
        area.children += ChartAxes.grid(xs: xs, ys: ys, width: w, height: h)
        for (i, s) in series.enumerated() {
            let color = ChartPalette.color(i)
            let pixels = s.points.map { (xs.position($0.x, length: w), ys.position($0.y, length: h, flipped: true)) }
            var g = SVGElement("g", [("class", "series"), ("data-label", s.label)])
            var line: [(String, String)] = [
                ("points", pixels.map { SVGElement.num($0.0) + "," + SVGElement.num($0.1) }.joined(separator: " ")),
                ("fill", "none"), ("stroke", color), ("stroke-width", "1.8"),
            ]
            if s.dashed { line.append(("stroke-dasharray", "5,3")) }
            if !s.markersOnly { g.add(SVGElement("polyline", line)) }
            for (p, px) in zip(s.points, pixels) {
                g.add(
                    SVGElement(
                        "circle",
                        [
                            ("cx", SVGElement.num(px.0)), ("cy", SVGElement.num(px.1)), ("r", s.markersOnly ? "3.5" : "2.5"),
                            ("fill", color),
                            ("data-x", SVGElement.value(p.x)), ("data-y", SVGElement.value(p.y)),
                        ]))
            }
            area.add(g)
        }
        chart.add(area)
        chart.children += ChartAxes.titles(x: xLabel, y: yLabel, left: left, top: top, width: w, height: h)
        if !series.isEmpty {
            chart.add(
                ChartAxes.legend(
                    series.enumerated().map { ($0.element.label, ChartPalette.color($0.offset), $0.element.dashed) },
                    x: left + w + 14, y: top + 4))
        }
        return chart
    }
}

/// Axis lines, ticks, grid, titles and legends shared by the charts.
enum ChartAxes {
    /// Width of an average character of the 12-pixel labels, for layout estimates.
    static let charWidth = 7.2

    /// Grid lines, both axes and their tick labels for a plot area of `width` × `height`.
    static func grid(xs: ChartScale?, ys: ChartScale, width w: Double, height h: Double) -> [SVGElement] {
        var out: [SVGElement] = []
        for t in ys.ticks {
            let py = ys.position(t, length: h, flipped: true)
            out.append(
                SVGElement(
                    "line",
                    [
                        ("class", "grid"), ("x1", "0"), ("y1", SVGElement.num(py)), ("x2", SVGElement.num(w)),
                        ("y2", SVGElement.num(py)), ("stroke", "#e5e5e5"),
                    ]))
            out.append(SVGElement.label(ys.tickLabel(t), x: -6, y: py + 4, anchor: "end", cls: "tick-label"))
        }
        if let xs {
            for t in xs.ticks {
                let px = xs.position(t, length: w)
                out.append(
                    SVGElement(
                        "line",
                        [
                            ("class", "tick"), ("x1", SVGElement.num(px)), ("y1", SVGElement.num(h)),
                            ("x2", SVGElement.num(px)), ("y2", SVGElement.num(h + 5)), ("stroke", "#333"),
                        ]))
                out.append(SVGElement.label(xs.tickLabel(t), x: px, y: h + 17, anchor: "middle", cls: "tick-label"))
            }
        }
        out.append(
            SVGElement(
                "line",
                [
                    ("class", "axis"), ("x1", "0"), ("y1", SVGElement.num(h)), ("x2", SVGElement.num(w)),
                    ("y2", SVGElement.num(h)), ("stroke", "#333"),
                ]))
        out.append(
            SVGElement(
                "line", [("class", "axis"), ("x1", "0"), ("y1", "0"), ("x2", "0"), ("y2", SVGElement.num(h)), ("stroke", "#333")])
        )
        return out
    }

    /// The x title under the plot area and the y title rotated along its left side.
    static func titles(x: String, y: String, left: Double, top: Double, width w: Double, height h: Double) -> [SVGElement] {
        (x.isEmpty ? [] : [SVGElement.label(x, x: left + w / 2, y: top + h + 36, anchor: "middle", cls: "axis-title")])
            + [
                SVGElement.label(
                    y, x: 0, y: 0, anchor: "middle", cls: "axis-title",
                    extra: [("transform", "translate(\(SVGElement.num(14)),\(SVGElement.num(top + h / 2))) rotate(-90)")])
            ]
    }

    /// A legend: one swatch and label per entry, from (x, y) downwards.
    static func legend(_ entries: [(label: String, color: String, dashed: Bool)], x: Double, y: Double) -> SVGElement {
        var g = SVGElement("g", [("class", "legend"), ("transform", SVGElement.translate(x, y))])
        for (i, e) in entries.enumerated() {
            let ly = Double(i) * 18
            var line: [(String, String)] = [
                ("x1", "0"), ("y1", SVGElement.num(ly)), ("x2", "18"), ("y2", SVGElement.num(ly)),
                ("stroke", e.color), ("stroke-width", "3"),
            ]
            if e.dashed { line.append(("stroke-dasharray", "5,3")) }
            g.add(SVGElement("line", line))
            g.add(SVGElement.label(e.label, x: 24, y: ly + 4, cls: "legend-label"))
        }
        return g
    }
}
