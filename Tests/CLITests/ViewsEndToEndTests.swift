// ViewsEndToEndTests: cross-view distillation from the command line (beyond.md §5): a teacher of the full
// Fashion-MNIST image and a student of a thumbnail (scratch and kd), the teacher's cache shared by
// students of other views, eval applying the stored view; paired files, and pairs that disagree.

import Foundation
import TestSupport
import XCTest

final class ViewsEndToEndTests: CLITestCase {
    func testCrossViewKDTrainsEndToEndAndEvalReadsTheStudentsView() throws {
        try Self.requireFashionMNIST()
        func config(_ extra: [String: Any], view: Any? = nil) -> [String: Any] {
            var c = FastConfig.object(epochs: 2, testLimit: nil, extra)
            var data = c["data"] as! [String: Any]
            (data["limit"], data["validation"]) = (1000, 200)
            data["student_view"] = view
            c["data"] = data
            return c
        }
        try writeJSON(config(["model": "lenet5"]), to: "teacher.json")
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json"])
        let teacher = try readJSON("runs/teacher/summary.json")
        // The from-scratch student on its view: train-teacher reads the view too, and its checkpoint says so.
        try writeJSON(config(["model": "mlp-100"], view: ["downsample": [14, 14]]), to: "scratch.json")
        try kdistillOK(["--threads", "2", "train-teacher", "scratch.json"])
        XCTAssertEqual(try metadata("runs/scratch/latest.safetensors")["input_shape"], "[1,14,14]")

        let kd: [String: Any] = [
            "student": "mlp-100", "teacher": "runs/teacher/latest.safetensors",
            "method": ["name": "kd", "T": 4, "ce_weight": 0.1, "kd_weight": 0.9, "cache_teacher": true],
        ]
        try writeJSON(config(kd, view: ["downsample": [14, 14]]), to: "kd.json")
        let run = try kdistillOK(["--threads", "2", "distill", "kd.json"])
        XCTAssertTrue(run.stderr.contains("reads data's images; the student student_view [{\"downsample\":[14,14]}]"), run.stderr)
        XCTAssertTrue(run.stderr.contains("teacher cache: built entry"), run.stderr)
        let summary = try readJSON("runs/kd/summary.json")
        XCTAssertEqual(summary["status"] as? String, "completed")
        XCTAssertGreaterThan(try XCTUnwrap(summary["test_acc"] as? Double), 0.5, "a 14x14 student learns: \(summary)")
        // The teacher was evaluated on its own full images: its accuracy is the one of its own run.
        XCTAssertEqual(summary["teacher_test_acc"] as? Double, teacher["test_acc"] as? Double)
        let resolved = try readJSON("runs/kd/config.json")["data"] as? [String: Any]
        XCTAssertEqual(try Self.json(try XCTUnwrap(resolved?["student_view"])), #"[{"downsample":[14,14]}]"#)
        let meta = try metadata("runs/kd/best.safetensors")
        XCTAssertEqual(meta["student_view"], #"[{"downsample":[14,14]}]"#)
        XCTAssertEqual(meta["input_shape"], "[1,14,14]")

        // eval applies the stored view by itself, and gives the run's own test accuracy; with the teacher,
        // each network reads its own view of the same test images.
        let eval = try Self.parseObject(
            try kdistillOK(["--threads", "2", "eval", "runs/kd/latest.safetensors", "--json"]).stdout, source: "eval")
        XCTAssertEqual(eval["top1"] as? Double, summary["test_acc"] as? Double)
        XCTAssertEqual(eval["view"] as? String, #"student_view [{"downsample":[14,14]}]"#)
        let both = try Self.parseObject(
            try kdistillOK([
                "--threads", "2", "eval", "runs/kd/latest.safetensors", "--teacher", "runs/teacher/latest.safetensors", "--json",
            ])
            .stdout, source: "eval")
        XCTAssertEqual((both["teacher"] as? [String: Any])?["top1"] as? Double, teacher["test_acc"] as? Double)
        XCTAssertEqual(both["agreement"] as? Double, summary["agreement"] as? Double)
        let text = try kdistillOK(["--threads", "2", "eval", "runs/kd/latest.safetensors"]).stdout
        XCTAssertTrue(text.contains("as it was trained to read them: student_view"), text)

        // The teacher's cache is keyed by what the teacher reads: a student of another view reuses it.
        let other = try kdistillOK([
            "--threads", "2", "distill", "kd.json", "--set",
            #"data.student_view=[{"crop":{"top":0,"left":0,"height":14,"width":28}}]"#,
            "--set", "output.dir=runs/kd-top", "--set", "epochs=1",
        ])
        XCTAssertTrue(other.stderr.contains("teacher cache: reusing entry"), other.stderr)
        XCTAssertEqual(try metadata("runs/kd-top/latest.safetensors")["input_shape"], "[1,14,28]")

        // What cannot pair two views is refused by name.
        assertInputError(
            try kdistill(["--threads", "2", "distill", "kd.json", "--set", "data.augment.crop_padding=2"]),
            mentions: ["data.augment", "student_view"])
        assertInputError(
            try kdistill(["--threads", "2", "distill", "kd.json", "--set", "method=noisy-student"]), mentions: ["noisy-student"])
        // A feature method whose taps cannot be matched across the views says which and why (after the teacher's log line).
        let fitnet = try kdistill([
            "--threads", "2", "distill", "kd.json", "--set", "method=fitnet", "--set", "student=resnet8",
            "--set", #"data.student_view={"downsample":[7,7]}"#,
        ])
        XCTAssertTrue(fitnet.exited(with: 2), "\(fitnet)")
        XCTAssertTrue(
            fitnet.stderrLines.last.map {
                $0.contains("no regressor maps student resnet8 tap 'layer2' [32, 4, 4] to teacher lenet5 tap")
                    && $0.contains("fitnet's")
            } ?? false,
            "\(fitnet)")
    }

    func testPairedFilesAndPairsThatDisagree() throws {
        // Tiny MNIST-format data and, sample for sample, 6x6 CIFAR-format records whose pixels say the label.
        try TinyDatasetFiles.writeMNIST(directory: dir + "/mnist", trainCount: 400, testCount: 100, gzip: false)
        func records(_ n: Int, dropLast: Int = 0, relabel: Int? = nil) -> [UInt8] {
            (0..<(n - dropLast)).flatMap { i -> [UInt8] in
                let y = TinyDatasetFiles.label(image: i, classes: 10)
                return [i == relabel ? (y + 1) % 10 : y] + (0..<36).map { UInt8((Int(y) * 25 + $0 + i % 3) % 256) }
            }
        }
        try FileManager.default.createDirectory(atPath: dir + "/paired", withIntermediateDirectories: true)
        try TinyDatasetFiles.write(records(400), to: dir + "/paired/train.bin")
        try TinyDatasetFiles.write(records(100), to: dir + "/paired/test.bin")
        let paired: [String: Any] = [
            "format": "cifar", "dir": "paired", "train": "train.bin", "test": "test.bin", "shape": [1, 6, 6],
        ]
        let data: [String: Any] = ["dataset": "mnist", "dir": "mnist", "validation": 50]
        let base: [String: Any] = [
            "seed": 0, "data": data, "optimizer": ["name": "adam", "lr": 0.01], "epochs": 2, "batch_size": 32,
        ]
        try writeJSON(base.merging(["model": "mlp-20"]) { $1 }, to: "teacher.json")
        try kdistillOK(["--threads", "2", "train-teacher", "teacher.json"])
        let kd: [String: Any] = ["name": "kd", "ce_weight": 1, "kd_weight": 0.1]
        var student = base.merging([
            "student": "mlp-20", "teacher": "runs/teacher/latest.safetensors", "method": kd, "epochs": 20,
        ]) { $1 }
        student["data"] = data.merging(["student_data": paired]) { $1 }
        try writeJSON(student, to: "student.json")
        try kdistillOK(["--threads", "2", "distill", "student.json"])
        let summary = try readJSON("runs/student/summary.json")
        XCTAssertGreaterThan(
            try XCTUnwrap(summary["test_acc"] as? Double), 0.8, "the paired pixels give the label away: \(summary)")
        XCTAssertEqual(try metadata("runs/student/latest.safetensors")["input_shape"], "[1,6,6]")
        let eval = try Self.parseObject(
            try kdistillOK(["--threads", "2", "eval", "runs/student/latest.safetensors", "--data-dir", "mnist", "--json"]).stdout,
            source: "eval")
        XCTAssertEqual(eval["images"] as? Int, 100)
        XCTAssertEqual(eval["top1"] as? Double, summary["test_acc"] as? Double, "eval reads the paired test file")
        XCTAssertTrue((eval["view"] as? String)?.hasPrefix("student_data") ?? false, "\(eval)")

        // A pair that disagrees in count or in a label: one line naming both files, before any training.
        try TinyDatasetFiles.write(records(100, dropLast: 1), to: dir + "/paired/short.bin")
        assertInputError(
            try kdistill(["--threads", "2", "distill", "student.json", "--set", "data.student_data.test=short.bin"]),
            mentions: ["paired/short.bin: expected 100 images, as many as mnist/t10k-images-idx3-ubyte", "found 99"])
        try TinyDatasetFiles.write(records(400, relabel: 17), to: dir + "/paired/relabelled.bin")
        assertInputError(
            try kdistill(["--threads", "2", "distill", "student.json", "--set", "data.student_data.train=relabelled.bin"]),
            mentions: [
                "paired/relabelled.bin", "expected the labels of mnist/train-images-idx3-ubyte in the same order", "index 17",
            ])
    }
}
