// Which split chose the best epoch: summary.json's best_selected_on, or for older runs the config's
// data.validation (0: test). A table with any test-selected run says so in its best-epoch column,
// its notes, the per-run table and the CSV; validation-selected runs are labelled as such.

import KDJSON
import KDReport
import XCTest

final class ReportBestSelectionTests: XCTestCase {
    /// A completed run of `method`; `selected` goes into summary.json, `validation` into the config.
    func record(_ method: String, seed: Int, selected: String? = nil, validation: Int? = nil) -> RunRecord {
        var config = ReportFixtures.config(method: method, seed: seed, dir: "runs/\(method)-\(seed)").objectValue ?? [:]
        if let validation { config["data"] = ["dataset": "fashion-mnist", "validation": .int(validation)] }
        var summary = ReportFixtures.summary(last: 0.8, best: 0.85).objectValue ?? [:]
        if let selected { summary["best_selected_on"] = .string(selected) }
        return RunRecord(
            path: "runs/\(method)-\(seed)", experimentPath: "runs/\(method)-\(seed)", member: nil, config: .object(config),
            summary: .object(summary), metrics: [], status: .completed)
    }

    func testSummaryFieldComesFirstAndOlderRunsAreInferredFromTheConfig() {
        XCTAssertEqual(record("kd", seed: 0, selected: "validation", validation: 0).bestSelectedOn, .validation)
        XCTAssertEqual(record("kd", seed: 0, selected: "test", validation: 5000).bestSelectedOn, .test)
        XCTAssertEqual(record("kd", seed: 0, validation: 0).bestSelectedOn, .test)
        XCTAssertEqual(record("kd", seed: 0, validation: 5000).bestSelectedOn, .validation)
        XCTAssertNil(record("kd", seed: 0).bestSelectedOn)
    }

    func testAnyTestSelectedRunMarksTheColumnNotesRunsAndCSV() throws {
        let g = RunGrouping.group([
            record("kd", seed: 0, selected: "validation"), record("at", seed: 0, validation: 0),
        ])
        XCTAssertEqual(g.bestSelection, .test)
        let groups = ResultsTable.groups(g)
        XCTAssertTrue(groups.header.contains("best-epoch acc, test-selected (%)"), "\(groups.header)")
        let notes = Report.markdown(g)
        XCTAssertTrue(notes.contains("chosen on the test split itself"), notes)
        let runs = ResultsTable.runs(g)
        XCTAssertEqual(runs.header.last, "best selected on")
        XCTAssertEqual(Set(runs.rows.map { $0.last ?? "" }), ["validation", "test"])
        let csv = ResultsTable.csv(g).split(separator: "\n")
        XCTAssertTrue(csv[0].hasSuffix(",best_selected_on"))
        XCTAssertEqual(Set(csv.dropFirst().map { String($0.split(separator: ",").last ?? "") }), ["validation", "test"])
    }

    func testValidationSelectedRunsSaySo() {
        let g = RunGrouping.group([record("kd", seed: 0, selected: "validation"), record("kd", seed: 1, validation: 5000)])
        XCTAssertEqual(g.bestSelection, .validation)
        XCTAssertTrue(ResultsTable.groups(g).header.contains("best-epoch acc, validation-selected (%)"))
        XCTAssertTrue(Report.markdown(g).contains("highest validation accuracy"))
    }

    func testUnknownSelectionKeepsThePlainColumn() {
        let g = RunGrouping.group([record("kd", seed: 0), record("kd", seed: 1, selected: "validation")])
        XCTAssertNil(g.bestSelection)
        XCTAssertTrue(ResultsTable.groups(g).header.contains("best-epoch acc (%)"))
        XCTAssertEqual(ResultsTable.runs(g).header.last, "best selected on")
    }
}
