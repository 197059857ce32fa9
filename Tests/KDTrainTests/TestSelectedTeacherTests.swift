// TestSelectedTeacherTests: a teacher checkpoint that is the `best` of a run which chose it on the test
// set is flagged, from summary.json's `best_selected_on` or, for older runs, config.json's data.validation.

import Foundation
import KDTrain
import XCTest

final class TestSelectedTeacherTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-test-selected-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ text: String, _ file: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + file)) }

    func testBestChosenOnTheTestSetIsFlagged() throws {
        let best = dir + "/best.safetensors"
        XCTAssertNil(Teachers.testSelectedWarning(best), "no run files: nothing known")
        try write(#"{"data": {"validation": 0}}"#, "config.json")
        let old = try XCTUnwrap(Teachers.testSelectedWarning(best), "a run without the key: its config held out nothing")
        XCTAssertTrue(old.hasPrefix("kdistill: warning: \(best)"), old)
        XCTAssertTrue(old.contains("test set") && old.contains(dir + "/latest.safetensors"), old)
        XCTAssertFalse(old.contains("\n"))
        try write(#"{"data": {"validation": 5000}}"#, "config.json")
        XCTAssertNil(Teachers.testSelectedWarning(best), "an old run that held out a validation split")

        try write(#"{"status": "completed", "best_selected_on": "test"}"#, "summary.json")
        XCTAssertNotNil(Teachers.testSelectedWarning(best), "summary.json's key decides over the config")
        XCTAssertNil(Teachers.testSelectedWarning(dir + "/latest.safetensors"), "the last checkpoint is chosen by no split")
        XCTAssertNil(Teachers.testSelectedWarning(dir + "/epoch-002.safetensors"))
        try write(#"{"status": "completed", "best_selected_on": "validation"}"#, "summary.json")
        XCTAssertNil(Teachers.testSelectedWarning(best))
    }
}
