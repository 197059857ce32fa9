// ClassAdaptiveConfigTests: kd's `class_adaptive` and `alpha_per_class` (beyond.md 3.3) through the real
// method registry: defaults and the bare rule, x+kd, and the rules between keys (a validation split,
// one of the two, one number per class) with errors naming the key.

import Foundation
import KDMethods
import KDTrain
import XCTest

final class ClassAdaptiveConfigTests: XCTestCase {
    private var path = ""
    override func setUpWithError() throws { path = NSTemporaryDirectory() + "kd-fairness-\(UUID().uuidString).json" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: path) }

    private func load(method: String, validation: Int = 500) throws -> ExperimentConfig {
        let text =
            #"{"data": {"dataset": "fashion-mnist", "validation": \#(validation)}, "teacher": "t.safetensors", "student": "lenet5", "#
            + #""method": \#(method)}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try ConfigLoading.load(path, for: .distill)
    }

    private func failure(method: String, validation: Int = 500) -> String {
        do {
            _ = try load(method: method, validation: validation)
            return "(no error)"
        } catch { return "\(error)".replacingOccurrences(of: path, with: "c.json") }
    }

    func testClassAdaptiveDecodesWithDefaultsAndShorthand() throws {
        let c = try load(method: #"{"name": "kd", "class_adaptive": {}}"#)
        let rule = try XCTUnwrap(c.resolvedJSON["method"]?["class_adaptive"])
        XCTAssertEqual(rule, ["rule": "teacher-val-accuracy", "gamma": .number(1)])
        let bare = try load(method: #"{"name": "at+kd", "class_adaptive": "teacher-val-accuracy"}"#)
        XCTAssertEqual(bare.resolvedJSON["method"]?["class_adaptive"], rule, "a bare string is the rule; x+kd takes it too")
        let given = try load(method: #"{"name": "kd", "alpha_per_class": [1, 1, 1, 1, 1, 1, 0.5, 1, 1, 1]}"#, validation: 0)
        XCTAssertEqual(given.resolvedJSON["method"]?["alpha_per_class"]?.arrayValue?.count, 10, "no validation needed")
        XCTAssertNil(try load(method: #""kd""#).resolvedJSON["method"]?["class_adaptive"], "absent: plain kd")
    }

    func testClassAdaptiveErrorsNameTheKey() {
        XCTAssertEqual(
            failure(method: #"{"name": "kd", "class_adaptive": {"gamma": 2}}"#, validation: 0),
            "c.json: method.class_adaptive: expected data.validation > 0 (r_c comes from the teacher's per-class "
                + "validation accuracy), found 0")
        XCTAssertEqual(
            failure(method: #"{"name": "kd", "class_adaptive": {}, "alpha_per_class": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}"#),
            "c.json: method.alpha_per_class: expected class_adaptive or alpha_per_class, found both")
        XCTAssertEqual(
            failure(method: #"{"name": "kd", "alpha_per_class": [1, 0.5]}"#),
            "c.json: method.alpha_per_class: expected 10 numbers in [0, 1] (one per class of fashion-mnist), found 2")
        XCTAssertEqual(
            failure(method: #"{"name": "kd", "alpha_per_class": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1.5]}"#),
            "c.json: method.alpha_per_class[9]: expected a number in [0, 1], found 1.5")
        XCTAssertTrue(
            failure(method: #"{"name": "kd", "class_adaptive": {"rule": "oracle"}}"#)
                .hasPrefix("c.json: method.class_adaptive.rule: expected one of teacher-val-accuracy, found \"oracle\""))
        XCTAssertEqual(
            failure(method: #"{"name": "kd", "class_adaptive": {"gamma": -1}}"#),
            "c.json: method.class_adaptive.gamma: expected a number >= 0, found -1")
        XCTAssertTrue(
            failure(method: #"{"name": "at", "class_adaptive": {}}"#).hasPrefix("c.json: method.class_adaptive: unknown key"),
            "only kd and x+kd have it")
    }
}
