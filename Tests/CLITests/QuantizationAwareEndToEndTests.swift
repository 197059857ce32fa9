// QuantizationAwareEndToEndTests: `method.quantize: int8` end to end on a Fashion-MNIST subset: a lenet5
// student distilled fake-quantized learns, its checkpoint carries the observed ranges, `kdistill eval` runs it
// int8-simulated with the same accuracy; an interrupted QAT run resumes bit for bit (observers included);
// train-teacher's `quantize`; and the one-line errors of the option.

import Foundation
import TestSupport
import XCTest

final class QuantizationAwareEndToEndTests: CLITestCase {
    /// The LayerGraph prefixes of lenet5's conv and linear layers, in order.
    static let lenetLayers = ["conv1", "conv2", "fc1", "fc2", "fc3"]

    func testKDIntoAnInt8StudentLearnsAndEvalRunsItInt8Simulated() throws {
        try Self.requireFashionMNIST()
        let teacher = try quickTeacher()
        let config = FastConfig.object(
            epochs: 2, testLimit: nil, ["student": "lenet5", "teacher": teacher, "method": ["name": "kd"]])
        try writeJSON(config, to: "qat.json")
        let r = try kdistillOK(["--threads", "2", "distill", "qat.json", "--set", "method.quantize=int8"])
        XCTAssertTrue(r.stderr.contains("quantize int8"), "\(r)")
        let summary = try readJSON("runs/qat/summary.json")
        XCTAssertEqual(summary["quantize"] as? String, "int8")
        let acc = try XCTUnwrap(summary["test_acc"] as? Double)
        XCTAssertGreaterThan(acc, 0.5, "the int8-simulated student learns (chance is 0.1): \(summary)")
        let resolved = try readJSON("runs/qat/config.json")
        XCTAssertEqual((resolved["method"] as? [String: Any])?["quantize"] as? String, "int8")

        // The checkpoint: quantize int8 and one [lo, hi] per conv/linear layer, under its LayerGraph prefix.
        let meta = try metadata("runs/qat/latest.safetensors")
        XCTAssertEqual(meta["quantize"], "int8")
        let ranges = try Self.parseObject(try XCTUnwrap(meta["kdistill.quant_ranges"]), source: "ranges")
        XCTAssertEqual(Set(ranges.keys), Set(Self.lenetLayers))
        for (prefix, value) in ranges {
            let pair = try XCTUnwrap(value as? [Double], prefix)
            XCTAssertEqual(pair.count, 2)
            XCTAssertLessThan(pair[0], pair[1], prefix)
        }
        XCTAssertEqual(ranges["conv1"].flatMap { ($0 as? [Double])?.first }.map { $0 < 0 }, true, "normalised input")
        XCTAssertEqual(ranges["fc1"].flatMap { ($0 as? [Double])?.first }, 0, "after a ReLU")

        // eval runs the checkpoint fake-quantized with those ranges: the run's own final test accuracy.
        let e = try kdistillOK(["eval", "runs/qat/latest.safetensors", "--json"])
        let report = try Self.parseObject(e.stdout, source: "eval")
        XCTAssertEqual(report["quantize"] as? String, "int8")
        XCTAssertEqual(report["top1"] as? Double, acc, "eval reports the int8-simulated accuracy of the run")
        let text = try kdistillOK(["eval", "runs/qat/latest.safetensors"])
        XCTAssertTrue(text.stdout.contains("int8-simulated"), text.stdout)
    }

    func testInterruptedQATRunResumesLikeAnUninterruptedOne() throws {
        try Self.requireFashionMNIST()
        let teacher = try quickTeacher()
        let method: [String: Any] = ["name": "kd", "quantize": "int8"]
        try writeJSON(FastConfig.object(epochs: 3, ["student": "lenet5", "teacher": teacher, "method": method]), to: "q.json")
        try interruptResumeAndRunWhole(["--threads", "2", "distill", "q.json"])
        // The observers (quant.<prefix>range), weights and optimizer state end bit-identical, and so do the ranges.
        let (resumed, uninterrupted) = (try tensorBytes("run/resume.safetensors"), try tensorBytes("whole/resume.safetensors"))
        XCTAssertTrue(resumed == uninterrupted, "the resumed run's state is bit-identical")
        XCTAssertEqual(
            try metadata("run/latest.safetensors")["kdistill.quant_ranges"],
            try metadata("whole/latest.safetensors")["kdistill.quant_ranges"])
    }

    func testTrainTeacherQuantizeTrainsAnInt8BaselineFromScratch() throws {
        try Self.requireFashionMNIST()
        try writeJSON(FastConfig.object(epochs: 1, ["model": "lenet5", "quantize": "int8"]), to: "base.json")
        try kdistillOK(["--threads", "2", "train-teacher", "base.json", "--set", "data.limit=500"])
        XCTAssertEqual(try readJSON("runs/base/summary.json")["quantize"] as? String, "int8")
        XCTAssertEqual(try readJSON("runs/base/config.json")["quantize"] as? String, "int8")
        XCTAssertNotNil(try metadata("runs/base/latest.safetensors")["kdistill.quant_ranges"])
    }

    func testInvalidOrMisplacedQuantizeIsOneLineError() throws {
        try writeJSON(
            FastConfig.object(epochs: 1, ["student": "lenet5", "teacher": "t.safetensors", "method": "kd"]), to: "kd.json")
        assertInputError(
            try kdistill(["distill", "kd.json", "--set", "method.quantize=int4"]),
            mentions: ["method.quantize", "int8", "int4"])
        assertInputError(
            try kdistill(["distill", "kd.json", "--set", "quantize=int8"]), mentions: ["quantize", "method.quantize"])
        try writeJSON(
            FastConfig.object(epochs: 1, ["student": "lenet5", "method": ["name": "dml", "quantize": "int8"]]), to: "dml.json")
        assertInputError(try kdistill(["distill", "dml.json"]), mentions: ["method.quantize", "single-student", "dml"])
    }
}
