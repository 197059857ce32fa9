// The report's files and HTML page: every file is written, results.md starts with the group table,
// and index.html (parsed as XML) holds the same table cells, the three drawings inline, and the
// diverged and left-out runs.

import Foundation
import KDJSON
import KDReport
import TestSupport
import XCTest

final class ReportHTMLTests: XCTestCase {
    func testReportWritesEveryFileAndThePageMatchesTheTable() throws {
        let root = ReportFixtures.directory("report-html")
        try ReportFixtures.writeSweep(root + "/runs")
        let out = root + "/out"
        let result = try Report.run(paths: [root + "/runs"], outDirectory: out)
        XCTAssertEqual(result.files, Report.fileNames.map { out + "/" + $0 })
        for f in result.files { XCTAssertTrue(FileManager.default.fileExists(atPath: f), f) }
        XCTAssertEqual(result.warnings, [root + "/runs/method-kd__seed-4: unfinished (no summary.json)"])
        let md = try String(contentsOfFile: out + "/results.md", encoding: .utf8)
        XCTAssertTrue(md.hasPrefix(ResultsTable.groups(result.grouped).markdown()))
        XCTAssertTrue(md.contains("## Runs"))
        XCTAssertEqual(try String(contentsOfFile: out + "/results.csv", encoding: .utf8), ResultsTable.csv(result.grouped))

        let page = try XMLTreeBuilder.parse(try String(contentsOfFile: out + "/index.html", encoding: .utf8))
        XCTAssertEqual(page.name, "html")
        let tables = page.all("table")
        XCTAssertEqual(tables.count, 2)
        let header = tables[0].all("th").map(\.allText)
        XCTAssertEqual(header, ResultsTable.groups(result.grouped).header)
        let rows = tables[0].all("tr").dropFirst().map { $0.all("td").map(\.allText) }
        XCTAssertEqual(rows, ResultsTable.groups(result.grouped).rows)
        XCTAssertEqual(rows.last, ["kd", "—", "3", "82.00 ± 2.00", "83.00 ± 2.00", "61,706", "1:30", "1"])
        XCTAssertEqual(tables[1].all("tr").count, 1 + 9)
        XCTAssertEqual(page.all("svg").count, 3)
        XCTAssertEqual(
            page.all("h2").map(\.allText),
            [
                "Results", "Learning curves", "Loss terms", "Methods", "Runs",
                "Diverged runs (not averaged)", "Not reported",
            ])
        let items = page.all("li").map(\.allText)
        XCTAssertTrue(items.contains { $0.contains("method-kd__seed-3") && $0.contains("ce nan") }, "\(items)")
        XCTAssertTrue(items.contains { $0.contains("method-kd__seed-4: unfinished") }, "\(items)")
        let bars = page.all("rect").filter { $0.attributes["class"] == "bar" }
        XCTAssertEqual(bars.count, 8)
    }

    func testTableCellsAreEscaped() throws {
        let html = ReportPage.table(TextTable(header: ["<k>"], numeric: [true], rows: [["a & b"]]))
        XCTAssertEqual(
            html,
            "<table class=\"results\">\n<thead><tr><th>&lt;k&gt;</th></tr></thead>\n<tbody>\n"
                + "<tr><td class=\"num\">a &amp; b</td></tr>\n</tbody>\n</table>")
    }

    func testPipelineRunsAndEnsembleAreRows() throws {
        let root = ReportFixtures.directory("report-ban")
        let dir = root + "/ban"
        let gens = (1...2).map { ReportFixtures.summary(last: 0.7 + 0.01 * Double($0), best: 0.72, run: "gen\($0)") }
        for (k, g) in gens.enumerated() {
            try ReportFixtures.writeRun(
                dir + "/gen\(k + 1)", config: ReportFixtures.config(method: "kd", seed: 0, dir: dir),
                metrics: ReportFixtures.metrics([0.6, 0.7], ce: [1, 1], kd: [0, 0]), summary: g)
        }
        try ReportFixtures.writeRun(
            dir, config: ReportFixtures.config(method: "ban", seed: 0, dir: dir), metrics: [],
            summary: ["status": "completed", "runs": .array(gens), "ensemble_test_acc": 0.75])
        let result = try Report.run(paths: [dir], outDirectory: root + "/out")
        XCTAssertEqual(result.grouped.groups.map(\.label), ["gen1", "gen2", "ensemble"])
        XCTAssertEqual(
            ResultsTable.groups(result.grouped).rows.map { Array($0.prefix(4)) },
            [
                ["gen1", "1", "71.00 ± —", "72.00 ± —"], ["gen2", "1", "72.00 ± —", "72.00 ± —"],
                ["ensemble", "1", "75.00 ± —", "—"],
            ])
    }
}
