// TransferConfigTests: `data.transfer` in configs: defaults from `data`, the dataset shorthand, the
// resolved JSON round trip, and the errors a config can show before any file is read.

import KDData
import KDTrain
import XCTest

final class TransferConfigTests: XCTestCase {
    private let distill = #""student": "lenet5", "teacher": "t.safetensors", "method": {"name": "kd", "ce_weight": 0}"#

    func testDefaultsAndShorthand() throws {
        let own = try ConfigFixtures.decode(
            #"{"data": {"dataset": "mnist", "dir": "d", "transfer": {"exclude_classes": [3]}}, "seed": 4}"#)
        XCTAssertEqual(own.data.transfer, TransferConfig(dataset: .mnist, dir: "d", excludeClasses: [3], seed: 4))
        let other = try ConfigFixtures.decode(#"{"data": {"dataset": "mnist", "transfer": "fashion-mnist"}}"#)
        XCTAssertEqual(other.data.transfer, TransferConfig(dataset: .fashionMNIST, dir: "data/fashion-mnist", seed: 0))
    }

    func testResolvedJSONRoundTrip() throws {
        let first = try ConfigFixtures.decode(
            #"{"data": {"dataset": "mnist", "transfer": {"include_classes": [7, 8], "limit": 50, "include_labeled": true}}, \#(distill)}"#
        )
        let written = first.resolvedJSON.formatted()
        let second = try ExperimentConfig.decode(
            text: written, source: "config.json", defaultName: "x", context: ConfigFixtures.context)
        XCTAssertEqual(second.data, first.data)
        XCTAssertEqual(second.resolvedJSON.formatted(), written)
    }

    func testErrors() {
        XCTAssertEqual(
            ConfigFixtures.failure(#"{"data": {"dataset": "mnist", "transfer": {"split": "test"}}}"#),
            "configs/x.json: data.transfer.split: expected train for data.dataset's own images (its test split tests the run), found \"test\""
        )
        XCTAssertEqual(
            ConfigFixtures.failure(
                #"{"data": {"dataset": "mnist", "transfer": {"exclude_classes": [1], "include_classes": [2]}}}"#),
            "configs/x.json: data.transfer: expected exclude_classes or include_classes, found both")
        XCTAssertTrue(
            ConfigFixtures.failure(#"{"data": {"dataset": "mnist", "transfer": {"exclude_classes": [-1]}}}"#)
                .contains("data.transfer.exclude_classes[0]"))
    }
}
