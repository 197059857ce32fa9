// The report's SVG plots read back with an XML parser: learning-curve points (pixels mapped back
// through the plot area's ranges) equal the per-epoch means over seeds, the loss panels hold each
// group's terms, and the bars and error bars equal the groups' mean ± std. Plus the SVG builder.

import Foundation
import KDJSON
import KDReport
import TestSupport
import XCTest

final class ReportSVGTests: XCTestCase {
    func report() throws -> String {
        let root = ReportFixtures.directory("report-svg")
        try ReportFixtures.writeSweep(root + "/runs")
        _ = try Report.run(paths: [root + "/runs"], outDirectory: root + "/out")
        return root + "/out"
    }

    func parse(_ path: String) throws -> XMLTreeNode {
        try XMLTreeBuilder.parse(try String(contentsOfFile: path, encoding: .utf8))
    }

    /// (x, y) of every polyline point of `series`, mapped back to data units through its plot area.
    func dataPoints(_ area: XMLTreeNode, _ series: XMLTreeNode) throws -> [(Double, Double)] {
        let (x0, x1) = (try XCTUnwrap(area.number("data-x-min")), try XCTUnwrap(area.number("data-x-max")))
        let (y0, y1) = (try XCTUnwrap(area.number("data-y-min")), try XCTUnwrap(area.number("data-y-max")))
        let (w, h) = (try XCTUnwrap(area.number("data-width")), try XCTUnwrap(area.number("data-height")))
        let points = try XCTUnwrap(series.all("polyline").first?.attributes["points"]).split(separator: " ")
        return points.map { p in
            let xy = p.split(separator: ",").compactMap { Double($0) }
            return (x0 + xy[0] / w * (x1 - x0), y0 + (1 - xy[1] / h) * (y1 - y0))
        }
    }

    func testLearningCurvesAreTheMeansOverSeeds() throws {
        let svg = try parse(try report() + "/curves.svg")
        XCTAssertEqual(svg.name, "svg")
        let area = try XCTUnwrap(svg.all("g", cls: "plot-area").first)
        let series = area.all("g", cls: "series")
        XCTAssertEqual(
            series.map { $0.attributes["data-label"] ?? "" },
            ["method.name=at", "method.name=dml, student1", "method.name=dml, student2", "method.name=kd"])
        let kd = series[3]
        let expected = [(1.0, 55.0), (2.0, 75.0), (3.0, 82.0)]  // mean of the three seeds' test_acc, in %
        let circles = kd.all("circle").map { ($0.number("data-x") ?? -1, $0.number("data-y") ?? -1) }
        let pixels = try dataPoints(area, kd)
        XCTAssertEqual(circles.count, 3)
        XCTAssertEqual(pixels.count, 3)
        for ((ex, ey), ((cx, cy), (px, py))) in zip(expected, zip(circles, pixels)) {
            XCTAssertEqual(cx, ex, accuracy: 1e-9)
            XCTAssertEqual(cy, ey, accuracy: 1e-4)
            XCTAssertEqual(px, ex, accuracy: 0.01)
            XCTAssertEqual(py, ey, accuracy: 0.01)
        }
        let student1 = try dataPoints(area, series[1])
        XCTAssertEqual(student1.map(\.1), [62.5, 72.5].map { $0 }, accuracy: 0.01)
        XCTAssertEqual(svg.all("g", cls: "legend").first?.all("text").map(\.allText).count, 4)
    }

    func testLossPanelsHoldEachGroupsTerms() throws {
        let svg = try parse(try report() + "/losses.svg")
        let charts = svg.all("g", cls: "chart")
        XCTAssertEqual(
            charts.map { $0.all("text", cls: "title").first?.allText ?? "" },
            ["method.name=at", "method.name=dml, student1", "method.name=dml, student2", "method.name=kd"])
        let kd = charts[3]
        let series = kd.all("g", cls: "series")
        XCTAssertEqual(series.map { $0.attributes["data-label"] ?? "" }, ["train_loss", "ce", "kd"])
        XCTAssertEqual(series[0].all("polyline").first?.attributes["stroke-dasharray"], "5,3")
        let area = try XCTUnwrap(kd.all("g", cls: "plot-area").first)
        XCTAssertEqual(try dataPoints(area, series[1]).map(\.1), [1.1, 0.6, 0.35], accuracy: 1e-3)  // ce: [1, .5, .25] + 0.1·seed
        XCTAssertEqual(try dataPoints(area, series[0]).map(\.1), [1.5, 0.8, 0.45], accuracy: 1e-3)
        XCTAssertEqual(charts[1].all("g", cls: "series").map { $0.attributes["data-label"] ?? "" }, ["train_loss", "ce", "peer"])
    }

    func testBarsAndErrorBarsAreMeanAndStd() throws {
        let svg = try parse(try report() + "/methods.svg")
        let area = try XCTUnwrap(svg.all("g", cls: "plot-area").first)
        let (y0, y1, h) = (
            try XCTUnwrap(area.number("data-y-min")), try XCTUnwrap(area.number("data-y-max")),
            try XCTUnwrap(area.number("data-height"))
        )
        XCTAssertTrue(y0 > 0 && y0 < 71.8, "every bar is in the top half: the axis starts below the lowest, \(y0)")
        let bars = area.all("rect", cls: "bar")
        XCTAssertEqual(bars.count, 8)
        func bar(_ category: String, _ series: String) throws -> XMLTreeNode {
            try XCTUnwrap(bars.first { $0.attributes["data-category"] == category && $0.attributes["data-series"] == series })
        }
        let expected: [(String, Double, Double?, Double, Double?)] = [
            ("method.name=at", 90, nil, 91, nil), ("method.name=dml, student1", 72.5, 0.7071, 72.5, 0.7071),
            ("method.name=dml, student2", 74.5, 0.7071, 74.5, 0.7071), ("method.name=kd", 82, 2, 83, 2),
        ]
        for (category, last, lastErr, best, bestErr) in expected {
            for (series, value, error) in [("last epoch", last, lastErr), ("best epoch", best, bestErr)] {
                let b = try bar(category, series)
                XCTAssertEqual(b.number("data-value") ?? -1, value, accuracy: 1e-4)
                if let error {
                    XCTAssertEqual(b.number("data-error") ?? -1, error, accuracy: 1e-4)
                } else {
                    XCTAssertNil(b.attributes["data-error"])
                }
                // The drawn height runs from the axis start to the value.
                XCTAssertEqual((b.number("height") ?? 0) / h * (y1 - y0), value - y0, accuracy: 0.02)
                XCTAssertEqual((b.number("y") ?? 0) + (b.number("height") ?? 0), h, accuracy: 0.01)  // standing on the axis
            }
        }
        let errorBars = area.all("path", cls: "error-bar")
        XCTAssertEqual(errorBars.count, 6)
        XCTAssertTrue(errorBars.contains { $0.number("data-low") == 80 && $0.number("data-high") == 84 })
    }

    func testBuilderEscapesAndRoundsNumbers() throws {
        let e = SVGElement("text", [("data-label", "a<b & \"c\"")], text: "x > y & 'z'")
        XCTAssertEqual(e.rendered(), "<text data-label=\"a&lt;b &amp; &quot;c&quot;\">x &gt; y &amp; &#39;z&#39;</text>")
        XCTAssertEqual(SVGElement.num(12.3456), "12.35")
        XCTAssertEqual(SVGElement.num(3.0), "3")
        XCTAssertEqual(SVGElement.num(-0.001), "0")
        XCTAssertEqual(SVGElement.num(0.5), "0.5")
        XCTAssertEqual(SVGElement.num(.nan), "0")
        let doc = SVGElement.document(width: 10, height: 20, children: [e]).fileText()
        XCTAssertTrue(
            doc.hasPrefix(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"20\""
            ))
        let parsed = try XMLTreeBuilder.parse(doc)
        XCTAssertEqual(parsed.all("text").first?.attributes["data-label"], "a<b & \"c\"")
        XCTAssertEqual(parsed.all("text").first?.allText, "x > y & 'z'")
    }

    func testNiceTicks() {
        let s = ChartScale(covering: [55, 82], count: 5)
        XCTAssertEqual(s.step, 5)
        XCTAssertEqual(s.lo, 55)
        XCTAssertEqual(s.hi, 85)
        XCTAssertEqual(s.ticks, [55, 60, 65, 70, 75, 80, 85])
        XCTAssertEqual(s.tickLabel(60), "60")
        let epochs = ChartScale(covering: [1, 3], count: 6, integral: true)
        XCTAssertEqual(epochs.ticks, [1, 2, 3])
        let single = ChartScale(covering: [0.25], count: 5)
        XCTAssertLessThan(single.lo, 0.25)
        XCTAssertGreaterThan(single.hi, 0.25)
        let bars = ChartScale(covering: [82, 84], count: 5, includeZero: true)
        XCTAssertEqual(bars.lo, 0)
        XCTAssertEqual(bars.hi, 100)
        XCTAssertEqual(ChartScale.niceStep(0.037), 0.05)
        XCTAssertEqual(ChartScale(covering: [0, 0.3]).tickLabel(0.1), "0.10")  // step 0.05: two decimals
    }
}

/// Element-wise approximate equality of two arrays.
func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "counts differ: \(a) vs \(b)", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b)", file: file, line: line) }

    func testBarsStandOnZeroUnlessAllAreInTheTopHalf() throws {
        func axisStart(_ values: [Double]) throws -> Double {
            let chart = BarChart(
                title: "t", yLabel: "y", categories: values.map { "c\($0)" }, series: [BarSeries(label: "s", values: values)])
            let document = SVGElement.document(width: 1, height: 1, children: [chart.render(minWidth: 100).element])
            let svg = try XMLTreeBuilder.parse(document.fileText())
            return try XCTUnwrap(svg.all("g", cls: "plot-area").first?.number("data-y-min"))
        }
        XCTAssertEqual(try axisStart([10, 90]), 0)
        let zoomed = try axisStart([88.5, 93.1])
        XCTAssertTrue(zoomed > 80 && zoomed < 88.5, "\(zoomed)")
    }
}
