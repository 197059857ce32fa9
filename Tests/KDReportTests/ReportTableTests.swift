// The report's tables: the Markdown group table (varying keys, member, seeds, last and best accuracy
// as mean ± std, parameters, wall time, diverged count), the per-run table and the CSV numbers.

import KDJSON
import KDReport
import XCTest

final class ReportTableTests: XCTestCase {
    func grouped() throws -> GroupedRuns {
        let root = ReportFixtures.directory("report-table")
        try ReportFixtures.writeSweep(root)
        return RunGrouping.group(RunReader.read([root]).records)
    }

    func testGroupTableCells() throws {
        let t = ResultsTable.groups(try grouped())
        XCTAssertEqual(
            t.header,
            ["method.name", "member", "seeds", "last-epoch acc (%)", "best-epoch acc (%)", "params", "wall time", "diverged"])
        XCTAssertEqual(
            t.rows,
            [
                ["at", "—", "1", "90.00 ± —", "91.00 ± —", "61,706", "0:45", "0"],
                ["dml", "student1", "2", "72.50 ± 0.71", "72.50 ± 0.71", "1,000", "1:40", "0"],
                ["dml", "student2", "2", "74.50 ± 0.71", "74.50 ± 0.71", "2,000", "1:40", "0"],
                ["kd", "—", "3", "82.00 ± 2.00", "83.00 ± 2.00", "61,706", "1:30", "1"],
            ])
    }

    func testMarkdownLayout() throws {
        let md = ResultsTable.groups(try grouped()).markdown().split(separator: "\n").map(String.init)
        XCTAssertEqual(
            md[0], "| method.name | member | seeds | last-epoch acc (%) | best-epoch acc (%) | params | wall time | diverged |")
        XCTAssertEqual(md[1], "|---|---|---:|---:|---:|---:|---:|---:|")
        XCTAssertEqual(md[5], "| kd | — | 3 | 82.00 ± 2.00 | 83.00 ± 2.00 | 61,706 | 1:30 | 1 |")
        XCTAssertEqual(TextTable(header: ["a|b"], numeric: [false], rows: [["x|y"]]).markdown(), "| a\\|b |\n|---|\n| x\\|y |\n")
    }

    func testReportMarkdownListsDivergedRuns() throws {
        let text = Report.markdown(try grouped())
        XCTAssertTrue(text.contains("Diverged (not averaged):"))
        XCTAssertTrue(text.contains("method-kd__seed-3 (method.name=kd, seed 3): ce nan"), text)
    }

    func testRunTableHasEveryRun() throws {
        let t = ResultsTable.runs(try grouped())
        XCTAssertEqual(t.rows.count, 9)
        let diverged = try XCTUnwrap(t.rows.first { $0[1].hasSuffix("method-kd__seed-3") })
        XCTAssertEqual(diverged[3], "diverged (epoch 2)")
        XCTAssertEqual(diverged[4], "—")
        let kd1 = try XCTUnwrap(t.rows.first { $0[1].hasSuffix("method-kd__seed-1") })
        XCTAssertEqual(Array(kd1[2...]), ["1", "completed", "82.00", "83.00", "3", "1:30"])
    }

    func testCSVHoldsRawNumbers() throws {
        let lines = ResultsTable.csv(try grouped()).split(separator: "\n").map(String.init)
        XCTAssertEqual(
            lines[0],
            "group,method.name,member,seeds,test_acc_mean,test_acc_std,best_test_acc_mean,best_test_acc_std,"
                + "parameters,wall_time_s,diverged,best_selected_on")
        XCTAssertEqual(lines[1], "method.name=at,at,,1,0.9,,0.91,,61706,45,0,")
        XCTAssertEqual(lines[2], "\"method.name=dml, student1\",dml,student1,2,0.725,0.007071,0.725,0.007071,1000,100,0,")
        XCTAssertEqual(lines[4], "method.name=kd,kd,,3,0.82,0.02,0.83,0.02,61706,90,1,")
    }

    func testFormatting() {
        XCTAssertEqual(ReportFormat.fixed(-0.001, 2), "0.00")
        XCTAssertEqual(ReportFormat.fixed(82.005, 1), "82.0")
        XCTAssertEqual(ReportFormat.clock(3725), "1:02:05")
        XCTAssertEqual(ReportFormat.clock(59.6), "1:00")
        XCTAssertEqual(ReportFormat.grouped(1234567), "1,234,567")
        XCTAssertEqual(ReportFormat.grouped(-999), "-999")
    }
}
