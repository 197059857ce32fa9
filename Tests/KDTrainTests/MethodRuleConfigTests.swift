// MethodRuleConfigTests: the method rules through the real registry's decoding context. Replacing the
// method (`--method`, `--set method=`, `--set method.name=`) starts from the new method's defaults;
// `x+kd` and `kd+x` decode to one config, spelled x+kd.

import Foundation
import KDMethods
import KDTrain
import XCTest

final class MethodRuleConfigTests: XCTestCase {
    var path = ""

    override func setUpWithError() throws {
        path = NSTemporaryDirectory() + "kd-method-rule-\(UUID().uuidString).json"
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: path) }

    /// Loads a distill config with `method` through ConfigLoading (as the commands do).
    func load(method: String, _ overrides: [String] = [], replacing: String? = nil) throws -> ExperimentConfig {
        let text = #"{"data": {"dataset": "mnist"}, "teacher": "t.safetensors", "student": "lenet5", "method": \#(method)}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try ConfigLoading.load(path, overrides: overrides, method: replacing, for: .distill)
    }

    func methodJSON(_ c: ExperimentConfig) -> JSONValue? { c.resolvedJSON["method"] }

    let kd = #"{"name": "kd", "T": 2, "ce_weight": 0.1, "kd_weight": 0.9, "cache_teacher": true}"#

    func testReplacingTheMethodStartsFromItsDefaults() throws {
        let c = try load(method: kd, replacing: "rkd")
        let p = try XCTUnwrap(c.method?.params)
        XCTAssertEqual(c.method?.name, "rkd")
        XCTAssertEqual(try p.double("ce_weight"), 1, "rkd's default, not kd's 0.1")
        XCTAssertEqual(try p.double("distance_weight"), 25)
        XCTAssertEqual(try p.bool("cache_teacher"), true, "cache_teacher carries over")
        XCTAssertFalse(p.contains("T"))

        // Every spelling of the switch gives the same method.
        for overrides in [["method.name=rkd"], ["method=rkd"], [#"method={"name": "rkd"}"#]] {
            XCTAssertEqual(methodJSON(try load(method: kd, overrides)), methodJSON(c), "\(overrides)")
        }

        // Keys set for the new method with --set are kept, before or after the switch.
        let explicit = try load(method: kd, ["method.ce_weight=0.5"], replacing: "rkd")
        XCTAssertEqual(try explicit.method?.params.double("ce_weight"), 0.5)
        for overrides in [
            ["method.ce_weight=0.5", "method.name=rkd"], ["method.name=rkd", "method.ce_weight=0.5"],
            [#"method={"name": "rkd", "ce_weight": 0.5}"#],
        ] {
            XCTAssertEqual(methodJSON(try load(method: kd, overrides)), methodJSON(explicit), "\(overrides)")
        }

        // Naming the config's own method keeps its parameters.
        XCTAssertEqual(try load(method: kd, replacing: "kd").method?.params.double("T"), 2)
        XCTAssertEqual(try load(method: kd, ["method=kd"]).method?.params.double("T"), 2)
    }

    func testReplacementErrorsNameWhereTheNameCameFrom() {
        func message(_ overrides: [String], _ replacing: String? = nil) -> String {
            do { _ = try load(method: kd, overrides, replacing: replacing) } catch { return "\(error)" }
            return "(loaded)"
        }
        XCTAssertEqual(message([], "rkdd"), "--method: method.name: unknown method 'rkdd'; did you mean 'rkd'?")
        XCTAssertTrue(
            message(["method.name=rkdd"]).hasSuffix("method.name (from --set): unknown method 'rkdd'; did you mean 'rkd'?"))
        XCTAssertTrue(message(["method.name=dml+kd"]).contains("'dml' is a cohort method and cannot be combined"))
    }

    func testEitherOrderOfACombinationIsOneConfig() throws {
        let a = try load(method: #""at+kd""#), b = try load(method: #""kd+at""#)
        XCTAssertEqual(a.resolvedJSON, b.resolvedJSON)
        XCTAssertEqual(b.method?.name, "at+kd")
        XCTAssertEqual(b.method?.parts, ["at", "kd"])
        let p = try XCTUnwrap(b.method?.params)
        XCTAssertEqual(try p.double("ce_weight"), 0.1)
        XCTAssertEqual(try p.double("kd_weight"), 0.9)
        XCTAssertEqual(try p.double("T"), 4)
        XCTAssertEqual(try p.double("beta"), 1000)
        XCTAssertEqual(methodJSON(try load(method: kd, replacing: "kd+sp")), methodJSON(try load(method: kd, replacing: "sp+kd")))
        XCTAssertEqual(try load(method: kd, ["method.name=kd+sp"]).method?.name, "sp+kd")
    }

    func testTheLogLineShowsEveryResolvedParameter() throws {
        let line = Distill.describe(try XCTUnwrap(try load(method: #""kd+at""#).method))
        XCTAssertTrue(line.hasPrefix("method at+kd: beta 1000, ce_weight 0.1, p 2, mode \"code\", student_taps absent"), line)
        XCTAssertTrue(
            line.hasSuffix("T 4, kd_weight 0.9, logit_standardization false, class_adaptive absent, alpha_per_class absent"),
            line)
    }
}

extension MethodRuleConfigTests {
    func testLogitStandardizationDefaultsAreResolvedAndRecorded() throws {
        let kd = try load(method: #"{"name": "kd", "logit_standardization": true}"#)
        let p = try XCTUnwrap(kd.method?.params)
        XCTAssertEqual([try p.double("T"), try p.double("kd_weight"), try p.double("ce_weight")], [2, 9, 0.1])
        guard case .object(let recorded)? = methodJSON(kd) else { return XCTFail("no method in the resolved config") }
        XCTAssertEqual(recorded["T"], .number(2), "config.json records the value used")
        let explicit = try load(method: #"{"name": "kd", "logit_standardization": true, "T": 3}"#)
        XCTAssertEqual(try explicit.method?.params.double("T"), 3, "an explicit key wins")
        let atKD = try load(method: #"{"name": "kd+at", "logit_standardization": true}"#)
        XCTAssertEqual(try atKD.method?.params.double("kd_weight"), 9)
        XCTAssertEqual(try atKD.method?.params.double("beta"), 1000)
        let dkd = try load(method: #"{"name": "dkd", "logit_standardization": true}"#)
        XCTAssertEqual([try dkd.method?.params.double("tckd_weight"), try dkd.method?.params.double("nckd_weight")], [9, 72])
        let off = try load(method: #"{"name": "kd"}"#)
        XCTAssertEqual(try off.method?.params.double("T"), 4)
        XCTAssertThrowsError(try load(method: #"{"name": "at", "logit_standardization": true}"#)) { error in
            XCTAssertTrue("\(error)".contains("method.logit_standardization"), "\(error)")
        }
    }
}
