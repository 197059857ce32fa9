// BadInputTests: the bad-input corpus. Every broken file yields a one-line DataError naming the
// file, what was expected and what was found; nothing traps.

import KDData
import TestSupport
import XCTest

final class BadInputTests: XCTestCase {
    private var dir = ""

    override func setUp() { dir = TinyDatasetFiles.temporaryDirectory("bad") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Loads `split` of `name` from `dir` and checks the error names `file` and mentions each of `words`.
    private func assertDataError(
        _ name: DatasetName, split: Split = .train, file: String, _ words: [String],
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try DatasetLoader.load(name, directory: dir, split: split), line: line) { error in
            guard let e = error as? DataError else { return XCTFail("not a DataError: \(error)", line: line) }
            let text = e.description
            XCTAssertFalse(text.contains("\n"), "multi-line: \(text)", line: line)
            XCTAssertTrue(e.file.hasSuffix(file), "\(text) should name \(file)", line: line)
            XCTAssertTrue(text.contains("expected") && text.contains("found"), text, line: line)
            for w in words { XCTAssertTrue(text.contains(w), "\(text) should mention \(w)", line: line) }
        }
    }

    private func writeMNIST(images: [UInt8]? = nil, labels: [UInt8]? = nil) throws {
        try TinyDatasetFiles.writeMNIST(directory: dir, trainCount: 4, testCount: 2, gzip: false)
        if let images {
            let path = dir + "/train-images-idx3-ubyte"
            try FileManager.default.removeItem(atPath: path)
            try TinyDatasetFiles.write(images, to: path)
        }
        if let labels { try TinyDatasetFiles.write(labels, to: dir + "/train-labels-idx1-ubyte") }
    }

    func testEmptyIDXFile() throws {
        try writeMNIST(images: [])
        assertDataError(.mnist, file: "train-images-idx3-ubyte", ["empty file"])
    }

    func testTruncatedIDXImages() throws {
        let full = TinyDatasetFiles.idxImages(count: 4, height: 28, width: 28)
        try writeMNIST(images: Array(full.prefix(full.count - 10)))
        assertDataError(.mnist, file: "train-images-idx3-ubyte", ["\(full.count) bytes", "\(full.count - 10) bytes"])
    }

    func testTruncatedIDXHeader() throws {
        try writeMNIST(images: [0, 0, 8, 3, 0, 0])
        assertDataError(.mnist, file: "train-images-idx3-ubyte", ["16-byte header", "6 bytes"])
    }

    func testTruncatedGzipIDX() throws {
        let gz = TinyDatasetFiles.gzip(TinyDatasetFiles.idxImages(count: 4, height: 28, width: 28))
        try writeMNIST(images: Array(gz.prefix(gz.count / 2)))
        try FileManager.default.moveItem(atPath: dir + "/train-images-idx3-ubyte", toPath: dir + "/train-images-idx3-ubyte.gz")
        assertDataError(.mnist, file: "train-images-idx3-ubyte.gz", ["gzip"])
    }

    func testWrongMagic() throws {
        try writeMNIST(labels: TinyDatasetFiles.idxImages(count: 4, height: 28, width: 28))
        assertDataError(.mnist, file: "train-labels-idx1-ubyte", ["0x00000801", "0x00000803"])
    }

    func testWrongImageSize() throws {
        try writeMNIST(images: TinyDatasetFiles.idxImages(count: 4, height: 8, width: 8))
        assertDataError(.mnist, file: "train-images-idx3-ubyte", ["28x28", "8x8"])
    }

    func testLabelBeyondClassCount() throws {
        try writeMNIST(labels: TinyDatasetFiles.idxLabels([1, 2, 10, 3]))
        assertDataError(.mnist, file: "train-labels-idx1-ubyte", ["below 10", "label 10 at index 2"])
    }

    func testImagesLabelsCountDisagree() throws {
        try writeMNIST(labels: TinyDatasetFiles.idxLabels([1, 2, 3]))
        assertDataError(.mnist, file: "train-labels-idx1-ubyte", ["4 labels", "found 3"])
    }

    func testMissingDirectory() {
        let base = dir
        addTeardownBlock { try? FileManager.default.removeItem(atPath: base) }
        dir += "/does-not-exist"
        assertDataError(.cifar10, file: "does-not-exist", ["no such directory"])
    }

    func testMissingIDXFile() throws {
        try writeMNIST()
        try FileManager.default.removeItem(atPath: dir + "/t10k-labels-idx1-ubyte")
        assertDataError(.mnist, split: .test, file: "t10k-labels-idx1-ubyte", [".gz", "neither exists"])
    }

    func testMissingCIFARBatch() throws {
        try TinyDatasetFiles.writeCIFAR10(directory: dir, perBatch: 1, testCount: 1)
        try FileManager.default.removeItem(atPath: dir + "/cifar-10-batches-bin/data_batch_4.bin")
        assertDataError(.cifar10, file: "data_batch_4.bin", ["no such file"])
    }

    func testCIFARPartialRecord() throws {
        try TinyDatasetFiles.writeCIFAR10(directory: dir, perBatch: 1, testCount: 2)
        let records = TinyDatasetFiles.cifarRecords(count: 2) { _ in [1] }
        try TinyDatasetFiles.write(Array(records.dropLast(5)), to: dir + "/cifar-10-batches-bin/test_batch.bin")
        assertDataError(
            .cifar10, split: .test, file: "test_batch.bin", ["3073-byte records", "6141 bytes", "1 records + 3068 bytes"])
    }

    func testCIFAR100LabelOutOfRangeAndEmptyFile() throws {
        try TinyDatasetFiles.writeCIFAR100(directory: dir, trainCount: 2, testCount: 2)
        let bad = TinyDatasetFiles.cifarRecords(count: 2) { [0, $0 == 1 ? 100 : 5] }
        try TinyDatasetFiles.write(bad, to: dir + "/cifar-100-binary/test.bin")
        assertDataError(.cifar100, split: .test, file: "test.bin", ["below 100", "label 100 in record 1"])
        try TinyDatasetFiles.write([], to: dir + "/cifar-100-binary/train.bin")
        assertDataError(.cifar100, file: "train.bin", ["3074-byte record", "empty file"])
    }

    func testClassNameFileWithWrongCount() throws {
        try TinyDatasetFiles.writeCIFAR10(directory: dir, perBatch: 1, testCount: 1)
        try TinyDatasetFiles.write(Array("a\nb\n".utf8), to: dir + "/cifar-10-batches-bin/batches.meta.txt")
        assertDataError(.cifar10, split: .test, file: "batches.meta.txt", ["10 class names", "found 2"])
    }

    func testBadSplitAndLimitArguments() throws {
        let ds = try ImageDataset(
            pixels: [UInt8](repeating: 0, count: 4), labels: [0, 1, 0, 1], channels: 1,
            height: 1, width: 1, numClasses: 2)
        XCTAssertThrowsError(try ds.splitValidation(count: 4, seed: 1))
        XCTAssertThrowsError(try ds.splitValidation(count: 0, seed: 1))
        XCTAssertThrowsError(try ds.limited(to: 0, seed: 1))
        XCTAssertThrowsError(try BatchLoader(dataset: ds, normalization: .identity(channels: 3), batchSize: 2, shuffle: false))
        XCTAssertThrowsError(
            try BatchLoader(
                dataset: ds, normalization: Normalization(mean: [0], std: [0]), batchSize: 2,
                shuffle: false))
        XCTAssertThrowsError(try BatchLoader(dataset: ds, normalization: .identity(channels: 1), batchSize: 0, shuffle: false))
    }
}
