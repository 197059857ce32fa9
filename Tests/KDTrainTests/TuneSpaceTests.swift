// TuneSpaceTests: the search-space file (beyond.md 4.2): what parses, the one-line errors naming the key,
// and random sampling: seeded by (study seed, trial), within bounds, `when` conditions respected.

import KDJSON
import KDTensor
import KDTrain
import XCTest

final class TuneSpaceTests: XCTestCase {
    static let example = #"""
        { "tune": {"scheduler": "asha", "eta": 3, "max_epochs": 9, "trials": 27},
          "params": {
            "student": {"type": "choice", "values": ["lenet5", "resnet8"]},
            "method.name": {"type": "choice", "values": ["kd", "at+kd"]},
            "method.T": {"type": "choice", "values": [1, 2, 4, 8, 16]},
            "method.kd_weight": {"type": "uniform", "low": 0.1, "high": 1.0},
            "optimizer.lr": {"type": "loguniform", "low": 0.005, "high": 0.1},
            "batch_size": {"type": "int", "low": 64, "high": 256, "step": 64},
            "method.beta": {"type": "uniform", "low": 100, "high": 2000, "when": {"method.name": ["at+kd"]}} } }
        """#

    func space(_ text: String) throws -> SearchSpace { try SearchSpace(JSONValue(parsing: text), source: "space.json") }

    func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try space(text)
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch { return "\(error)" }
    }

    func testTheSpecExampleParsesInFileOrder() throws {
        let s = try space(Self.example)
        XCTAssertEqual(
            s.params.map(\.key),
            ["student", "method.name", "method.T", "method.kd_weight", "optimizer.lr", "batch_size", "method.beta"])
        XCTAssertEqual(s.params[5].distribution, .int(low: 64, high: 256, step: 64, log: false))
        XCTAssertEqual(s.params[6].when.map(\.key), ["method.name"])
        XCTAssertEqual(s.tune["trials"], .int(27))
    }

    func testErrorsNameTheKey() {
        XCTAssertEqual(
            error(#"{"params": {"optimizer.lr": {"type": "gaussian"}}}"#),
            #"space.json: params.optimizer.lr.type: expected one of choice, uniform, loguniform, int, kept_epochs, found "gaussian""#
        )
        XCTAssertTrue(
            error(#"{"params": {"optimizer.lr": {"type": "loguniform", "low": 0, "high": 1}}}"#)
                .hasPrefix("space.json: params.optimizer.lr.low: expected a number > 0"))
        XCTAssertTrue(
            error(#"{"params": {"epochs": {"type": "int", "low": 5, "high": 2}}}"#).hasPrefix("space.json: params.epochs.high:"))
        XCTAssertTrue(
            error(#"{"params": {"a..b": {"type": "choice", "values": [1]}}}"#).hasPrefix(
                "space.json: params.a..b: expected a dotted"))
        XCTAssertTrue(
            error(#"{"params": {"seed": {"type": "choice", "values": []}}}"#).hasPrefix("space.json: params.seed.values:"))
        XCTAssertTrue(
            error(#"{"params": {"method.beta": {"type": "uniform", "low": 1, "high": 2, "when": {"method.name": ["at"]}}}}"#)
                .hasPrefix("space.json: params.method.beta.when.method.name: expected a key searched earlier"))
        XCTAssertTrue(
            error(#"{"params": {"seed": {"type": "choice", "values": [1], "low": 2}}}"#).hasPrefix(
                "space.json: params.seed.low: unknown key"))
        XCTAssertTrue(error(#"{"params": {}}"#).hasPrefix("space.json: params: expected an object"))
        XCTAssertTrue(error(#"{"parms": {}}"#).hasPrefix("space.json: parms: unknown key"))
        XCTAssertTrue(
            error(#"{"params": {"n": {"type": "int", "low": 1, "high": 9, "step": 2, "log": true}}}"#).contains("params.n.log"))
    }

    func testSettingsRefuseTheTestSetAndUnbuiltParts() throws {
        let request = TuneRequest(config: "c.json", space: "space.json")
        for (block, expected) in [
            (#"{"objective": "test_acc"}"#, "space.json: tune.objective: expected a validation metric or a cost, found test_acc"),
            (#"{"jobs": 2}"#, "space.json: tune.jobs: a command-line choice (-j N"),
            (#"{"eta": 1}"#, "space.json: tune.eta: expected an integer ≥ 2, found 1"),
            (#"{"min_epochs": 5, "max_epochs": 3}"#, "space.json: tune.min_epochs: expected at most max_epochs (3), found 5"),
        ] {
            let object = try XCTUnwrap(JSONValue(parsing: block).objectValue)
            XCTAssertThrowsError(try StudySettings(request, block: object, baseEpochs: 9, spaceSource: "space.json")) {
                XCTAssertTrue("\($0)".hasPrefix(expected), "\($0)")
            }
        }
        let defaults = try StudySettings(request, block: JSONObject(), baseEpochs: 10, spaceSource: "space.json")
        XCTAssertEqual(defaults.scheduler, .asha)
        XCTAssertEqual(defaults.rungs.epochs, [2, 4, 10])
    }

    func testSamplingIsSeededPerTrialAndWithinBounds() throws {
        let s = try space(Self.example)
        func draw(_ seed: Int, _ trial: Int) -> JSONObject {
            var rng = SpaceSampler.generator(seed: seed, trial: trial)
            return SpaceSampler.draw(s, rng: &rng)
        }
        XCTAssertEqual(draw(0, 3), draw(0, 3))
        XCTAssertNotEqual(draw(0, 3), draw(0, 4))
        XCTAssertNotEqual(draw(0, 3), draw(1, 3))
        var withBeta = 0
        for trial in 0..<200 {
            let d = draw(0, trial)
            XCTAssertTrue(["lenet5", "resnet8"].contains(d["student"]?.stringValue ?? ""))
            let lr = try XCTUnwrap(d["optimizer.lr"]?.doubleValue)
            XCTAssertTrue((0.005...0.1).contains(lr), "\(lr)")
            let w = try XCTUnwrap(d["method.kd_weight"]?.doubleValue)
            XCTAssertTrue((0.1...1.0).contains(w))
            XCTAssertTrue([64, 128, 192, 256].contains(d["batch_size"]?.intValue ?? 0))
            let at = d["method.name"]?.stringValue == "at+kd"
            XCTAssertEqual(d["method.beta"] != nil, at, "beta only when method.name is at+kd")
            if at { withBeta += 1 }
        }
        XCTAssertTrue((60...140).contains(withBeta), "\(withBeta) of 200")
    }

    func testValueFormulasAtTheEnds() {
        XCTAssertEqual(SpaceSampler.value(.choice([1, 2, 3]), u: 0.999_999), 3)
        XCTAssertEqual(SpaceSampler.value(.choice([1, 2, 3]), u: 0), 1)
        XCTAssertEqual(SpaceSampler.value(.int(low: 64, high: 256, step: 64, log: false), u: 0.999_999), 256)
        XCTAssertEqual(SpaceSampler.value(.int(low: 64, high: 250, step: 64, log: false), u: 0.999_999), 192)
        XCTAssertEqual(SpaceSampler.value(.uniform(low: 1, high: 3), u: 0.5), 2.0)
        XCTAssertEqual(SpaceSampler.value(.loguniform(low: 0.01, high: 1), u: 0.5).doubleValue ?? 0, 0.1, accuracy: 1e-12)
        XCTAssertEqual(SpaceSampler.value(.int(low: 1, high: 100, step: 1, log: true), u: 0), 1)
        XCTAssertEqual(SpaceSampler.value(.int(low: 1, high: 100, step: 1, log: true), u: 0.999_999), 100)
    }
}
