// ViewConfigTests: `data.student_view` and `data.student_data` in configs (one object or a list, the
// resolved JSON round trip, the errors before any file is read), the view a checkpoint stores, and
// ExperimentData reading the same samples in the same order through the student's and the teacher's views.

import Foundation
import KDData
import KDNN
import KDTrain
import TestSupport
import XCTest

final class ViewConfigTests: XCTestCase {
    func testOneObjectOrAListAndTheResolvedJSON() throws {
        let one = try ConfigFixtures.decode(
            #"{"data": {"dataset": "fashion-mnist", "student_view": {"downsample": [7, 7]}}, "model": "mlp-10"}"#)
        XCTAssertEqual(one.data.studentView, ImageView([.downsample(height: 7, width: 7)]))
        XCTAssertEqual(one.data.studentInputShape, [1, 7, 7])
        let list = try ConfigFixtures.decode(
            #"""
            {"data": {"dataset": "fashion-mnist", "student_view": [{"crop": {"top": 0, "left": 0, "height": 14, "width": 28}},
              {"noise": 0.5}, {"blur": 1.5}, {"channel": 0}, {"noise": 0.1, "seed": 9}]}, "model": "mlp-10"}
            """#)
        XCTAssertEqual(
            list.data.studentView,
            ImageView([
                .crop(top: 0, left: 0, height: 14, width: 28), .noise(sigma: 0.5, seed: 0), .blur(sigma: 1.5), .channel(0),
                .noise(sigma: 0.1, seed: 9),
            ]))
        XCTAssertEqual(list.data.studentInputShape, [1, 14, 28])
        let written = list.resolvedJSON.formatted()
        XCTAssertTrue(written.contains(#""seed": 0"#), "the default seed is written out: \(written)")
        let again = try ExperimentConfig.decode(
            text: written, source: "config.json", defaultName: "x", context: ConfigFixtures.context)
        XCTAssertEqual(again.data, list.data)
        XCTAssertEqual(again.resolvedJSON.formatted(), written)

        let paired = try ConfigFixtures.decode(
            #"{"data": {"dataset": "mnist", "student_data": {"format": "cifar", "train": "a.bin", "test": "b.bin", "shape": [1, 8, 8]}}, "model": "mlp-10"}"#
        )
        XCTAssertEqual(
            paired.data.studentData, PairedSource(format: .cifar, dir: ".", train: "a.bin", test: "b.bin", shape: [1, 8, 8]))
        XCTAssertNil(paired.data.studentInputShape, "the files decide")
        let pairedAgain = try ExperimentConfig.decode(
            text: paired.resolvedJSON.formatted(), source: "config.json", defaultName: "x", context: ConfigFixtures.context)
        XCTAssertEqual(pairedAgain.data, paired.data)
        XCTAssertNil(try ConfigFixtures.decode(ConfigFixtures.minimal).data.studentView)
    }

    func testErrorsNameTheKey() {
        func failure(_ data: String) -> String {
            ConfigFixtures.failure(#"{"data": {"dataset": "fashion-mnist", \#(data)}, "model": "mlp-10"}"#)
        }
        XCTAssertEqual(
            failure(#""student_view": {"downsample": [7, 7], "blur": 1}"#),
            "configs/x.json: data.student_view: expected exactly one of downsample, crop, noise, blur and channel, found downsample and blur"
        )
        XCTAssertEqual(
            failure(#""student_view": [{"blur": 1}, {"blur": 2, "seed": 1}]"#),
            "configs/x.json: data.student_view[1].seed: expected only with noise, found it with blur")
        XCTAssertEqual(
            failure(#""student_view": [{"downsample": [14, 14]}, {"crop": {"top": 7, "left": 0, "height": 14, "width": 14}}]"#),
            "configs/x.json: data.student_view[1]: expected a crop inside the image (rows 7..<21, columns 0..<14) for "
                + "fashion-mnist, found 1x14x14 images")
        XCTAssertEqual(
            failure(#""student_view": []"#),
            "configs/x.json: data.student_view: expected at least one transform, found an empty list")
        XCTAssertTrue(
            failure(#""student_view": {"downsample": [7]}"#).hasPrefix(
                "configs/x.json: data.student_view.downsample: expected a list of 2"))
        XCTAssertTrue(failure(#""student_view": {"noise": -1}"#).contains("data.student_view.noise"))
        XCTAssertEqual(
            failure(#""student_view": {"blur": 1}, "augment": {"flip": true}"#),
            "configs/x.json: data.augment: expected no augmentation with data.student_view (both networks must see the same "
                + "samples; kdistill applies no crop or flip to two views alike), found crop_padding 0, flip true")
        XCTAssertTrue(
            failure(#""student_data": {"format": "idx", "train": "a", "test": "b"}, "transfer": "mnist""#)
                .hasPrefix("configs/x.json: data.transfer: expected no transfer set with data.student_data"))
        XCTAssertEqual(
            failure(#""student_data": {"format": "cifar", "train": "a", "test": "b", "test_labels": "c"}"#),
            "configs/x.json: data.student_data.test_labels: expected no label file with format cifar (its records carry their labels)"
        )
        XCTAssertTrue(failure(#""student_data": {"format": "idx", "train": "a"}"#).contains("data.student_data.test: missing"))
        // Distill: what cannot read two views yet.
        let distill = #""student": "lenet5", "teacher": "t.safetensors""#
        let cases = [
            (#""method": "kd", "evaluation": {"robustness": true, "teacher": true}"#, "evaluation.teacher")
        ]
        for (extra, key) in cases {
            let text = #"{"data": {"dataset": "fashion-mnist", "student_view": {"noise": 0.5}}, \#(distill), \#(extra)}"#
            do {
                try ConfigFixtures.decode(text).validate(for: .distill, context: ConfigFixtures.context)
                XCTFail("\(key): validated")
            } catch { XCTAssertTrue("\(error)".contains(key), "\(error)") }
        }
    }

    func testACheckpointsViewRoundTripsThroughItsMetadata() throws {
        let view = DataView(
            paired: PairedSource(format: .idx, dir: "d", train: "a", test: "b", trainLabels: "al"),
            transforms: ImageView([.downsample(height: 7, width: 7), .noise(sigma: 0.5, seed: 2)]))
        var meta = CheckpointMetadata()
        meta.extra = view.metadata
        XCTAssertEqual(meta.extra["student_view"], #"[{"downsample":[7,7]},{"noise":0.5,"seed":2}]"#)
        XCTAssertEqual(try DataView(metadata: meta, source: "c.safetensors"), view)
        XCTAssertEqual(try DataView(metadata: CheckpointMetadata(), source: "c"), .original)
        XCTAssertTrue(DataView.original.metadata.isEmpty)
        meta.extra["student_view"] = #"[{"downsample":[0,7]}]"#
        XCTAssertThrowsError(try DataView(metadata: meta, source: "c.safetensors")) {
            XCTAssertTrue("\($0)".hasPrefix("c.safetensors: __metadata__.student_view[0].downsample"), "\($0)")
        }
    }
}
