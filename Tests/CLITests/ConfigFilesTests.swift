// The committed configs: every file under configs/ passes `kdistill validate`, and each CIFAR teacher,
// KD pair and CIFAR-100 method config (configs/cifar100/STUDENT/METHOD.json) trains one step on tiny
// CIFAR-format files this test writes (the student from the teacher run's latest.safetensors).

import Foundation
import TestSupport
import XCTest

final class ConfigFilesTests: CLITestCase {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../configs").standardized.path

    /// Every config file under configs/ (schema.json and `kdistill tune` search spaces, *.space.json, excepted),
    /// relative to it.
    func configFiles() throws -> [String] {
        let all = FileManager.default.enumerator(atPath: Self.configs)?.compactMap { $0 as? String } ?? []
        return all.filter { $0.hasSuffix(".json") && $0 != "schema.json" && !$0.hasSuffix(".space.json") }.sorted()
    }

    func testEveryConfigValidates() throws {
        let files = try configFiles()
        XCTAssertGreaterThanOrEqual(files.filter { $0.hasPrefix("cifar100/") }.count, 9)
        XCTAssertGreaterThanOrEqual(files.filter { $0.hasPrefix("cifar10/") }.count, 9)
        for file in files {
            let r = try kdistill(["validate", Self.configs + "/" + file])
            XCTAssertTrue(r.exited(with: 0), "\(file): \(r)")
        }
    }

    func testCIFARConfigsFollowRepDistillersProtocol() throws {
        for file in try configFiles() where file.hasPrefix("cifar") {
            let resolved = try Self.parseObject(try kdistillOK(["validate", Self.configs + "/" + file]).stdout, source: file)
            let optimizer = resolved["optimizer"] as? [String: Any], schedule = resolved["schedule"] as? [String: Any]
            let augment = (resolved["data"] as? [String: Any])?["augment"] as? [String: Any]
            XCTAssertEqual(resolved["epochs"] as? Int, 240, file)
            XCTAssertEqual(resolved["batch_size"] as? Int, 64, file)
            XCTAssertEqual(optimizer?["lr"] as? Double, 0.05, file)
            XCTAssertEqual(optimizer?["momentum"] as? Double, 0.9, file)
            XCTAssertEqual(optimizer?["weight_decay"] as? Double, 5e-4, file)
            XCTAssertEqual(schedule?["milestones"] as? [Int], [150, 180, 210], file)
            XCTAssertEqual(augment?["crop_padding"] as? Int, 4, file)
            XCTAssertEqual(augment?["flip"] as? Bool, true, file)
            let description = resolved["description"] as? String ?? ""
            if file.hasPrefix("cifar100/") {
                XCTAssertTrue(description.contains("expected top-1") || description.contains("no published top-1"), file)
            }
            let method = resolved["method"] as? [String: Any]
            if let teacher = resolved["teacher"] as? [String: Any] {
                XCTAssertTrue((teacher["checkpoint"] as? String ?? "").hasSuffix("/latest.safetensors"), file)
            }
            if method?["name"] as? String == "kd" && method?["logit_standardization"] as? Bool != true {
                XCTAssertEqual(method?["T"] as? Double, 4, file)
                XCTAssertEqual(method?["ce_weight"] as? Double, 0.1, file)
                XCTAssertEqual(method?["kd_weight"] as? Double, 0.9, file)
            }
        }
    }

    /// Initialisation stages cut to one epoch for the one-step runs; two-stage methods need two epochs.
    static let shortStages = [
        "ab.json": ["method.ab_epochs=1"], "ft.json": ["method.paraphraser_epochs=1"], "fitnet.json": ["epochs=2"],
        "fsp.json": ["epochs=2"],
    ]

    func testEveryCIFARPairTrainsOneStep() throws {
        let data = dir + "/data"
        try TinyDatasetFiles.writeCIFAR10(directory: data, perBatch: 2, testCount: 4)
        try TinyDatasetFiles.writeCIFAR100(directory: data, trainCount: 8, testCount: 4)
        let tiny = ["data.dir=" + data, "data.limit=4", "data.test_limit=4", "batch_size=4", "epochs=1"]
        for dataset in ["cifar10", "cifar100"] {
            let files = try configFiles().filter { $0.hasPrefix(dataset + "/") }
            var teacherRuns: [String: String] = [:]  // the configs' teacher run directory -> this test's
            for file in files where file.contains("/teacher-") {
                let config = Self.configs + "/" + file
                let original = try kdistillOK(["validate", config, "--get", "output.dir"]).stdout
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                let out = dir + "/" + original
                let sets = tiny + ["output.dir=" + out]
                try kdistillOK(["train-teacher", config] + sets.flatMap { ["--set", $0] }, timeout: 300)
                XCTAssertTrue(exists(out + "/latest.safetensors"), file)
                teacherRuns[original] = out
            }
            for file in files where !file.contains("/teacher-") {  // kd-STUDENT.json and STUDENT/METHOD.json
                let config = Self.configs + "/" + file
                let out = dir + "/" + file
                var sets = tiny + ["output.dir=" + out] + (Self.shortStages[(file as NSString).lastPathComponent] ?? [])
                let resolved = try Self.parseObject(try kdistillOK(["validate", config]).stdout, source: file)
                if let checkpoint = (resolved["teacher"] as? [String: Any])?["checkpoint"] as? String {
                    let teacherRun = (checkpoint as NSString).deletingLastPathComponent
                    let trained = try XCTUnwrap(teacherRuns[teacherRun], "\(file): its teacher \(teacherRun) has no config here")
                    sets.append("teacher=" + trained + "/latest.safetensors")
                }
                try kdistillOK(["distill", config] + sets.flatMap { ["--set", $0] }, timeout: 300)
                XCTAssertEqual(try kdistillOK(["status", out]).stdout, "completed\n", file)
            }
        }
    }
}
