// MeanTeacherConfigTests: mean-teacher's parameters through the real registry's decoding: "auto" or a
// number for consistency_weight (also from --set), and one clear line for each bad value, naming its key.

import Foundation
import KDMethods
import KDTrain
import XCTest

final class MeanTeacherConfigTests: XCTestCase {
    var path = ""

    override func setUpWithError() throws {
        path = NSTemporaryDirectory() + "kd-mean-teacher-\(UUID().uuidString).json"
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: path) }

    /// Loads a teacher-less distill config with `method` as ConfigLoading does for the command.
    func load(_ method: String, _ overrides: [String] = []) throws -> ExperimentConfig {
        let text = #"{"data": {"dataset": "mnist"}, "student": "lenet5", "method": \#(method)}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try ConfigLoading.load(path, overrides: overrides, method: nil, for: .distill)
    }

    /// The one-line error loading `method` fails with.
    func failure(_ method: String, _ overrides: [String] = []) -> String {
        do { _ = try load(method, overrides) } catch { return "\(error)".replacingOccurrences(of: path + ": ", with: "") }
        return "(decoded without error)"
    }

    func testDefaultsAutoAndNumbers() throws {
        let defaults = try XCTUnwrap(try load(#""mean-teacher""#).method?.params)
        XCTAssertEqual(defaults["consistency_weight"], .string("auto"))
        XCTAssertEqual(defaults["consistency"], .string("mse"))
        XCTAssertEqual(defaults["ema_decay"], .number(0.999))
        XCTAssertEqual(defaults["ema_decay_rampup"], .number(0.99))
        XCTAssertEqual(defaults["rampup_epochs"], .number(3))
        XCTAssertEqual(defaults["input_noise"], .number(0.15))
        XCTAssertEqual(defaults["kd_weight"], .number(0))
        let given = try load(#"{"name": "mean-teacher", "consistency_weight": 2}"#).method?.params
        XCTAssertEqual(given?["consistency_weight"], .number(2))
        let set = try load(#""mean-teacher""#, ["method.consistency_weight=1.8"])
        XCTAssertEqual(set.method?.params["consistency_weight"], .number(1.8))
        let auto = try load(#"{"name": "mean-teacher", "consistency_weight": 3}"#, ["method.consistency_weight=auto"])
        XCTAssertEqual(auto.method?.params["consistency_weight"], .string("auto"))
    }

    func testBadValuesAreOneLineNamingTheKey() {
        let cases: [(String, String)] = [
            (
                #"{"name": "mean-teacher", "consistency": "l2"}"#,
                #"method.consistency: expected one of mse, kl, found "l2""#
            ),
            (
                #"{"name": "mean-teacher", "consistency_weight": -1}"#,
                #"method.consistency_weight: expected a number >= 0 or "auto", found -1"#
            ),
            (
                #"{"name": "mean-teacher", "consistency_weight": "automatic"}"#,
                #"method.consistency_weight: expected a number >= 0 or "auto", found "automatic""#
            ),
            (#"{"name": "mean-teacher", "kd_weight": -0.5}"#, "method.kd_weight: expected a number >= 0, found -0.5"),
            (#"{"name": "mean-teacher", "ema_decay": 1}"#, "method.ema_decay: expected a number in [0, 1), found 1"),
            (#"{"name": "mean-teacher", "input_noise": -0.1}"#, "method.input_noise: expected a number >= 0, found -0.1"),
        ]
        for (method, message) in cases {
            let got = failure(method)
            XCTAssertTrue(got.hasSuffix(message), "\(method): \(got)")
            XCTAssertFalse(got.contains("\n"), got)
        }
    }
}
