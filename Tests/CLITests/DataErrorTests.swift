// DataErrorTests: broken dataset files (tiny, in the published formats) through `train-teacher`: missing
// directory, truncated/empty IDX, wrong magic, label beyond the classes, count mismatch, bad gzip, partial
// CIFAR records. Each is one `kdistill: ` line naming the file, exit status 2.

import Foundation
import TestSupport
import XCTest

final class DataErrorTests: CLITestCase {
    /// Writes a valid tiny MNIST (64 train, 32 test images) into `name`, then lets `edit` break it.
    func mnist(_ name: String, edit: (String) throws -> Void = { _ in }) throws -> String {
        let path = dir + "/" + name
        try TinyDatasetFiles.writeMNIST(directory: path, trainCount: 64, testCount: 32, gzip: false)
        try edit(path)
        return path
    }

    /// Runs one epoch of lenet5 on `dataset` read from `dataDir`.
    func train(_ dataDir: String, dataset: String = "mnist") throws -> CLIResult {
        try writeJSON(
            ["data": ["dataset": dataset, "dir": dataDir], "model": "lenet5", "epochs": 1, "batch_size": 16], to: "c.json")
        return try kdistill(["train-teacher", "c.json"])
    }

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    func testTinyValidMNISTTrains() throws {
        let r = try train(try mnist("ok"))
        XCTAssertTrue(r.exited(with: 0), "\(r)")
        XCTAssertTrue(exists("runs/c/summary.json"), "\(r)")
    }

    func testMissingDirectoryAndFiles() throws {
        assertInputError(try train(dir + "/nowhere"), mentions: ["nowhere", "no such directory"])
        let noLabels = try mnist("partial") { try FileManager.default.removeItem(atPath: $0 + "/t10k-labels-idx1-ubyte") }
        assertInputError(try train(noLabels), mentions: ["t10k-labels-idx1-ubyte"])
        let file = try mnist("file") { _ in } + "/train-images-idx3-ubyte"
        assertInputError(try train(file), mentions: ["train-images-idx3-ubyte", "a file"])
    }

    func testBrokenIDXFiles() throws {
        let images = "/train-images-idx3-ubyte", labels = "/train-labels-idx1-ubyte"
        let truncated = try mnist("truncated") { d in
            let b = try self.bytes(d + images)
            try TinyDatasetFiles.write(Array(b.dropLast(100)), to: d + images)
        }
        assertInputError(try train(truncated), mentions: ["truncated" + images, "bytes"])
        let empty = try mnist("empty") { try TinyDatasetFiles.write([], to: $0 + labels) }
        assertInputError(try train(empty), mentions: ["empty" + labels, "empty file"])
        let headerOnly = try mnist("short") { try TinyDatasetFiles.write([0, 0, 8], to: $0 + images) }
        assertInputError(try train(headerOnly), mentions: ["short" + images])
        let magic = try mnist("magic") { d in
            var b = try self.bytes(d + images)
            b[3] = 4
            try TinyDatasetFiles.write(b, to: d + images)
        }
        assertInputError(try train(magic), mentions: ["magic" + images, "0x00000803", "0x00000804"])
        let swapped = try mnist("swapped") { d in
            try TinyDatasetFiles.write(TinyDatasetFiles.idxLabels([1, 2, 3]), to: d + images)
        }
        assertInputError(try train(swapped), mentions: ["swapped" + images, "magic"])
        let huge = try mnist("huge") { d in
            try TinyDatasetFiles.write(
                [0, 0, 8, 3] + TinyDatasetFiles.u32be(Int(UInt32.max)) + TinyDatasetFiles.u32be(65_535)
                    + TinyDatasetFiles.u32be(65_535), to: d + images)
        }
        assertInputError(try train(huge), mentions: ["huge" + images])
        let size = try mnist("size") {
            try TinyDatasetFiles.write(TinyDatasetFiles.idxImages(count: 64, height: 32, width: 32), to: $0 + images)
        }
        assertInputError(try train(size), mentions: ["size" + images, "28x28", "32x32"])
    }

    func testBadLabelsAndCounts() throws {
        let beyond = try mnist("beyond") { d in
            var labels = (0..<64).map { TinyDatasetFiles.label(image: $0, classes: 10) }
            labels[5] = 10
            try TinyDatasetFiles.write(TinyDatasetFiles.idxLabels(labels), to: d + "/train-labels-idx1-ubyte")
        }
        assertInputError(try train(beyond), mentions: ["beyond/train-labels-idx1-ubyte", "below 10", "10", "index 5"])
        let mismatch = try mnist("mismatch") { d in
            let labels = (0..<31).map { TinyDatasetFiles.label(image: $0, classes: 10) }
            try TinyDatasetFiles.write(TinyDatasetFiles.idxLabels(labels), to: d + "/t10k-labels-idx1-ubyte")
        }
        assertInputError(try train(mismatch), mentions: ["mismatch/t10k-labels-idx1-ubyte", "32", "31"])
    }

    func testBrokenGzip() throws {
        let cut = try mnist("cut") { d in
            let plain = try self.bytes(d + "/train-images-idx3-ubyte")
            try FileManager.default.removeItem(atPath: d + "/train-images-idx3-ubyte")
            try TinyDatasetFiles.write(Array(TinyDatasetFiles.gzip(plain).dropLast(20)), to: d + "/train-images-idx3-ubyte.gz")
        }
        assertInputError(try train(cut), mentions: ["cut/train-images-idx3-ubyte.gz", "gzip"])
        let fake = try mnist("fake") { d in
            try FileManager.default.removeItem(atPath: d + "/train-labels-idx1-ubyte")
            try TinyDatasetFiles.write(Array("not gzip at all".utf8), to: d + "/train-labels-idx1-ubyte.gz")
        }
        assertInputError(try train(fake), mentions: ["fake/train-labels-idx1-ubyte.gz", "gzip"])
    }

    func testCIFARFilesWithPartialRecords() throws {
        let c10 = dir + "/c10"
        try TinyDatasetFiles.writeCIFAR10(directory: c10, perBatch: 4, testCount: 4)
        let test = c10 + "/cifar-10-batches-bin/test_batch.bin"
        try TinyDatasetFiles.write(Array(try bytes(test).dropLast(5)), to: test)
        assertInputError(try train(c10, dataset: "cifar10"), mentions: ["test_batch.bin", "3073-byte records"])

        let c100 = dir + "/c100"
        try TinyDatasetFiles.writeCIFAR100(directory: c100, trainCount: 4, testCount: 4)
        let train100 = c100 + "/cifar-100-binary/train.bin"
        try TinyDatasetFiles.write(try bytes(train100) + [1, 2], to: train100)
        assertInputError(try train(c100, dataset: "cifar100"), mentions: ["train.bin", "3074-byte records"])

        let labels = dir + "/c10-labels"
        try TinyDatasetFiles.writeCIFAR10(directory: labels, perBatch: 4, testCount: 4)
        let batch = labels + "/cifar-10-batches-bin/data_batch_2.bin"
        var b = try bytes(batch)
        b[3073] = 12
        try TinyDatasetFiles.write(b, to: batch)
        assertInputError(try train(labels, dataset: "cifar10"), mentions: ["data_batch_2.bin", "below 10", "12"])
    }

    func testValidationLargerThanTheTrainingSet() throws {
        let ok = try mnist("ok")
        try writeJSON(["data": ["dataset": "mnist", "dir": ok, "validation": 64], "model": "lenet5", "epochs": 1], to: "c.json")
        assertInputError(try kdistill(["train-teacher", "c.json"]), mentions: ["validation", "64"])
    }
}
