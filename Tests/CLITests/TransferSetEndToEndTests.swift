// TransferSetEndToEndTests: `data.transfer` from the command line (Hinton et al. 2015 §3): a student
// distilled on Fashion-MNIST's training images without class 3 and with no label term, another dataset
// of the same shape as a transfer set, the control run on the transfer labels, and clear errors.

import Foundation
import TestSupport
import XCTest

final class TransferSetEndToEndTests: CLITestCase {
    func testDistilOnATransferSetWithAClassLeftOut() throws {
        try Self.requireFashionMNIST()
        var teacher = FastConfig.object(epochs: 2, ["model": "lenet5"])
        var data = teacher["data"] as! [String: Any]
        data["validation"] = 500
        teacher["data"] = data
        try writeJSON(teacher, to: "teacher.json")
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json"])

        var student = FastConfig.object(
            epochs: 2,
            [
                "student": "lenet5", "teacher": "runs/teacher/latest.safetensors",
                "method": ["name": "kd", "ce_weight": 0, "kd_weight": 1, "T": 4],
            ])
        data["transfer"] = ["exclude_classes": [3], "limit": 3000]
        student["data"] = data
        try writeJSON(student, to: "student.json")
        try kdistillOK(["--threads", "2", "distill", "student.json"])
        let line = try XCTUnwrap(try readJSONLines("runs/student/metrics.jsonl").last)
        XCTAssertEqual(line["ce"] as? Double, 0, "no label reaches a loss: \(line)")
        XCTAssertEqual(line["labeled_seen"] as? Int, nil, "no data.labeled, no count")
        XCTAssertNil(line["train_acc"], "no label to measure it with: \(line)")

        // The student never saw a 3, yet recognises some from the teacher's soft targets on the other
        // classes (Hinton's observation: 87% of the 3s without any bias correction); the control below,
        // trained on the same images' labels, recognises none.
        let eval = try Self.parseObject(
            try kdistillOK(["--threads", "2", "eval", "runs/student/latest.safetensors", "--json"]).stdout, source: "eval")
        let perClass = try XCTUnwrap(eval["per_class_accuracy"] as? [Double], "\(eval)")
        XCTAssertGreaterThan(perClass[3], 0.1, "dark knowledge about the class left out: \(perClass)")
        XCTAssertGreaterThan(perClass.enumerated().filter { $0.offset != 3 }.map(\.element).reduce(0, +) / 9, 0.55, "\(perClass)")

        // A label term without labels is a config error naming the key.
        let ce = try kdistill(["--threads", "2", "distill", "student.json", "--set", "method.ce_weight=0.1"])
        assertInputError(ce, mentions: ["method.ce_weight", "data.transfer"])
        // An excluded class beyond the class count names its key.
        let beyond = try kdistill(["--threads", "2", "distill", "student.json", "--set", "data.transfer.exclude_classes=[12]"])
        assertInputError(beyond, mentions: ["data.transfer.exclude_classes[0]", "0..<10", "12"])
        // The test split of the same dataset is what the run is tested on.
        let test = try kdistill(["--threads", "2", "distill", "student.json", "--set", "data.transfer.split=test"])
        assertInputError(test, mentions: ["data.transfer.split"])

        // Hinton's control: train-teacher on the transfer set's own labels never learns class 3.
        try kdistillOK([
            "--threads", "2", "train-teacher", "student.json", "--set", "model=lenet5", "--set", "output.dir=control",
        ])
        let control = try Self.parseObject(
            try kdistillOK(["--threads", "2", "eval", "control/latest.safetensors", "--json"]).stdout, source: "eval")
        XCTAssertEqual((control["per_class_accuracy"] as? [Double])?[3], 0, "\(control)")
    }

    func testAnotherDatasetOfTheSameShapeAndAShapeMismatch() throws {
        try Self.requireFashionMNIST()
        let mnist = dir + "/mnist", cifar = dir + "/cifar"
        try TinyDatasetFiles.writeMNIST(directory: mnist, trainCount: 300, testCount: 10, gzip: false)
        try TinyDatasetFiles.writeCIFAR10(directory: cifar, perBatch: 4, testCount: 4)
        var teacher = FastConfig.object(epochs: 1, ["model": "lenet5"])
        var data = teacher["data"] as! [String: Any]
        data["limit"] = 500
        teacher["data"] = data
        try writeJSON(teacher, to: "teacher.json")
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json"])
        data["transfer"] = ["dataset": "mnist", "dir": mnist]
        let student = FastConfig.object(
            epochs: 1,
            [
                "student": "lenet5", "teacher": "runs/teacher/latest.safetensors", "method": ["name": "kd", "ce_weight": 0],
                "data": data,
            ])
        try writeJSON(student, to: "student.json")
        try kdistillOK(["--threads", "2", "distill", "student.json"])
        let line = try XCTUnwrap(try readJSONLines("runs/student/metrics.jsonl").first)
        XCTAssertEqual(line["images_per_s"] != nil, true)

        let mismatch = try kdistill([
            "--threads", "2", "distill", "student.json", "--set", "data.transfer.dataset=cifar10", "--set",
            "data.transfer.dir=\(cifar)",
        ])
        assertInputError(mismatch, mentions: ["data.transfer", "1x28x28", "3x32x32"])

        // A control run trains on the transfer labels: another class count is an error, not a trap.
        let cifar100 = dir + "/cifar100"
        try TinyDatasetFiles.writeCIFAR100(directory: cifar100, trainCount: 20, testCount: 10)
        let classes = try kdistill([
            "--threads", "2", "train-teacher", "student.json", "--set", "model=lenet5", "--set", "data.dataset=cifar10",
            "--set", "data.dir=\(cifar)", "--set", "data.limit=10", "--set", "data.transfer.dataset=cifar100",
            "--set", "data.transfer.dir=\(cifar100)",
        ])
        assertInputError(classes, mentions: ["data.transfer", "10 classes", "100"])
    }
}
