// ReaderTests: the IDX and CIFAR readers on tiny files written in the published formats, plain
// and gzip, with the loader finding files by their official names.

import KDData
import TestSupport
import XCTest

final class ReaderTests: XCTestCase {
    func testMNISTPlainAndGzipReadTheSame() throws {
        let plain = TinyDatasetFiles.temporaryDirectory("mnist-plain")
        let gz = TinyDatasetFiles.temporaryDirectory("mnist-gz")
        defer { try? FileManager.default.removeItem(atPath: plain); try? FileManager.default.removeItem(atPath: gz) }
        try TinyDatasetFiles.writeMNIST(directory: plain, trainCount: 12, testCount: 5, gzip: false)
        try TinyDatasetFiles.writeMNIST(directory: gz, trainCount: 12, testCount: 5, gzip: true)
        for dir in [plain, gz] {
            let train = try DatasetLoader.load(.mnist, directory: dir, split: .train)
            XCTAssertEqual(train.count, 12)
            XCTAssertEqual(train.imageShape, [1, 28, 28])
            XCTAssertEqual(train.numClasses, 10)
            XCTAssertEqual(train.pixels[784 * 3 + 100], TinyDatasetFiles.pixel(image: 3, byte: 100))
            XCTAssertEqual(train.labels, (0..<12).map { Int32(TinyDatasetFiles.label(image: $0, classes: 10)) })
            let test = try DatasetLoader.load(.fashionMNIST, directory: dir, split: .test)
            XCTAssertEqual(test.count, 5)
            XCTAssertEqual(test.classNames[9], "Ankle boot")
        }
        let a = try DatasetLoader.load(.mnist, directory: plain, split: .train)
        let b = try DatasetLoader.load(.mnist, directory: gz, split: .train)
        XCTAssertEqual(a.pixels, b.pixels)
    }

    func testCIFAR10ReadsAllBatchesInOrder() throws {
        let dir = TinyDatasetFiles.temporaryDirectory("cifar10")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TinyDatasetFiles.writeCIFAR10(directory: dir, perBatch: 2, testCount: 3)
        let train = try DatasetLoader.load(.cifar10, directory: dir, split: .train)
        XCTAssertEqual(train.count, 10)
        XCTAssertEqual(train.imageShape, [3, 32, 32])
        XCTAssertEqual(train.classNames, ClassNames.cifar10)
        for i in [0, 5, 9] {
            XCTAssertEqual(train.labels[i], Int32(TinyDatasetFiles.label(image: i, classes: 10)))
            // Record i of the concatenated batches: pixels of batch-local image (i % 2).
            XCTAssertEqual(train.pixels[i * 3072 + 2048 + 17], TinyDatasetFiles.pixel(image: i % 2, byte: 2048 + 17))
        }
        let test = try DatasetLoader.load(.cifar10, directory: dir, split: .test)
        XCTAssertEqual(test.count, 3)
        // The folder itself is accepted too.
        XCTAssertEqual(try DatasetLoader.load(.cifar10, directory: dir + "/cifar-10-batches-bin", split: .test).count, 3)
    }

    func testCIFAR100FineAndCoarseLabels() throws {
        let dir = TinyDatasetFiles.temporaryDirectory("cifar100")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TinyDatasetFiles.writeCIFAR100(directory: dir, trainCount: 25, testCount: 4)
        let fine = try DatasetLoader.load(.cifar100, directory: dir, split: .train)
        XCTAssertEqual(fine.numClasses, 100)
        XCTAssertEqual(fine.classNames.count, 100)
        XCTAssertEqual(fine.labels[24], Int32(TinyDatasetFiles.label(image: 24, classes: 100)))
        let coarse = try DatasetLoader.load(.cifar100, directory: dir, split: .train, cifar100Labels: .coarse)
        XCTAssertEqual(coarse.numClasses, 20)
        XCTAssertEqual(coarse.labels[24], 4)
        XCTAssertEqual(coarse.classNames.first, "aquatic_mammals")
        XCTAssertEqual(fine.pixels, coarse.pixels)
        XCTAssertEqual(fine.pixels[3072 * 7 + 5], TinyDatasetFiles.pixel(image: 7, byte: 5))
    }

    func testDatasetNameMetadata() {
        XCTAssertEqual(ClassNames.cifar100Fine.count, 100)
        XCTAssertEqual(Set(ClassNames.cifar100Fine).count, 100)
        XCTAssertEqual(ClassNames.cifar100Coarse.count, 20)
        XCTAssertEqual(DatasetName(rawValue: "fashion-mnist"), .fashionMNIST)
        XCTAssertEqual(DatasetName.cifar10.inputShape, [3, 32, 32])
        XCTAssertEqual(DatasetName.mnist.inputShape, [1, 28, 28])
        for name in DatasetName.allCases { XCTAssertEqual(name.defaultClassNames.count, name.numClasses) }
    }

    func testResolveDirectoryFallsBackForFashionOnly() throws {
        let empty = TinyDatasetFiles.temporaryDirectory("empty")
        let system = TinyDatasetFiles.temporaryDirectory("system")
        defer { try? FileManager.default.removeItem(atPath: empty); try? FileManager.default.removeItem(atPath: system) }
        try TinyDatasetFiles.writeMNIST(directory: system, trainCount: 2, testCount: 2, gzip: true)
        XCTAssertEqual(DatasetLoader.resolveDirectory(.fashionMNIST, requested: empty, systemDirectory: system), system)
        XCTAssertEqual(DatasetLoader.resolveDirectory(.mnist, requested: empty, systemDirectory: system), empty)
        XCTAssertEqual(DatasetLoader.resolveDirectory(.fashionMNIST, requested: system, systemDirectory: empty), system)
    }

    func testImageDatasetInitValidatesAndSubsetCopies() throws {
        let ds = try ImageDataset(
            pixels: [1, 2, 3, 4, 5, 6], labels: [0, 2, 1], channels: 1, height: 1, width: 2,
            numClasses: 3)
        let sub = ds.subset(indices: [2, 0])
        XCTAssertEqual(sub.pixels, [5, 6, 1, 2])
        XCTAssertEqual(sub.labels, [1, 0])
        XCTAssertThrowsError(try ImageDataset(pixels: [1, 2], labels: [5], channels: 1, height: 1, width: 2, numClasses: 3))
        XCTAssertThrowsError(try ImageDataset(pixels: [1], labels: [0], channels: 1, height: 1, width: 2, numClasses: 3))
    }
}
