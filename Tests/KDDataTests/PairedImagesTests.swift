// PairedImagesTests: `data.student_data`'s files read against data's own: IDX (gray idx3, colour idx4,
// optional labels, gzip) and CIFAR-format records of another shape, in file order; a count or a label that
// disagrees is one error naming both files.

import Foundation
import KDData
import TestSupport
import XCTest

final class PairedImagesTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = TinyDatasetFiles.temporaryDirectory("paired") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Data's own split: `count` 2x2 gray images labelled i mod 3, read from "main-images".
    func main(count: Int = 5) throws -> ImageDataset {
        try ImageDataset(
            pixels: (0..<count * 4).map { UInt8($0) }, labels: (0..<count).map { Int32($0 % 3) }, channels: 1, height: 2,
            width: 2, numClasses: 3, source: dir + "/main-images")
    }

    func write(_ bytes: [UInt8], _ name: String) throws { try TinyDatasetFiles.write(bytes, to: dir + "/" + name) }

    func testIDXImagesOfAnotherShapeInFileOrderWithTheirLabelsChecked() throws {
        let main = try main()
        let pixels = (0..<5 * 9).map { UInt8(200 - $0) }
        try write(TinyDatasetFiles.gzip(TinyDatasetFiles.idxImages(count: 5, height: 3, width: 3, pixels: pixels)), "p-train.gz")
        try write(TinyDatasetFiles.idxLabels([0, 1, 2, 0, 1]), "p-train-labels")
        let source = PairedSource(format: .idx, dir: dir, train: "p-train.gz", test: "p-test", trainLabels: "p-train-labels")
        let paired = try PairedImages.load(source, split: .train, matching: main)
        XCTAssertEqual(paired.imageShape, [1, 3, 3])
        XCTAssertEqual(paired.pixels, pixels, "file order, bytes as stored")
        XCTAssertEqual(paired.labels, main.labels)
        XCTAssertEqual(paired.source, dir + "/p-train.gz")

        // Without a label file the images take data's labels; with a shape given, it must be the file's.
        let unlabeled = PairedSource(format: .idx, dir: dir, train: "p-train.gz", test: "p-test")
        XCTAssertEqual(try PairedImages.load(unlabeled, split: .train, matching: main).labels, main.labels)
        var shaped = unlabeled
        shaped.shape = [1, 4, 4]
        XCTAssertThrowsError(try PairedImages.load(shaped, split: .train, matching: main)) {
            XCTAssertTrue("\($0)".contains("expected 1x4x4 images"), "\($0)")
        }
    }

    func testColourIDX4AndCIFARRecordsOfAnyShape() throws {
        let main = try main(count: 2)
        // idx4: magic 0x0804, dims [N, C, H, W].
        let idx4: [UInt8] = [0, 0, 8, 4] + [2, 2, 1, 3].flatMap(TinyDatasetFiles.u32be) + (0..<12).map { UInt8($0) }
        try write(idx4, "colour")
        let colour = try PairedImages.load(
            PairedSource(format: .idx, dir: dir, train: "colour", test: "x"), split: .train, matching: main)
        XCTAssertEqual(colour.imageShape, [2, 1, 3])
        XCTAssertEqual(colour.pixels, (0..<12).map { UInt8($0) })
        // cifar: a label byte, then C·H·W pixels; records of 1x2x3.
        let records: [UInt8] = [0] + [9, 8, 7, 6, 5, 4] + [1] + [3, 2, 1, 0, 1, 2]
        try write(records, "spectra.bin")
        let source = PairedSource(format: .cifar, dir: dir, train: "x", test: "spectra.bin", shape: [1, 2, 3])
        let cifar = try PairedImages.load(source, split: .test, matching: main)
        XCTAssertEqual(cifar.imageShape, [1, 2, 3])
        XCTAssertEqual(cifar.pixels, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2])
        // A record size that does not divide the file.
        let wrong = PairedSource(format: .cifar, dir: dir, train: "x", test: "spectra.bin", shape: [1, 2, 2])
        XCTAssertThrowsError(try PairedImages.load(wrong, split: .test, matching: main)) {
            XCTAssertTrue("\($0)".hasPrefix(self.dir + "/spectra.bin: expected whole 5-byte records"), "\($0)")
        }
    }

    func testACountOrALabelThatDisagreesNamesBothFiles() throws {
        let main = try main()
        try write(TinyDatasetFiles.idxImages(count: 4, height: 2, width: 2), "short")
        let short = PairedSource(format: .idx, dir: dir, train: "short", test: "x")
        XCTAssertThrowsError(try PairedImages.load(short, split: .train, matching: main)) { error in
            XCTAssertEqual("\(error)", "\(self.dir)/short: expected 5 images, as many as \(self.dir)/main-images, found 4")
        }
        try write(TinyDatasetFiles.idxImages(count: 5, height: 2, width: 2), "five")
        try write(TinyDatasetFiles.idxLabels([0, 1, 2, 1, 1]), "five-labels")
        let relabelled = PairedSource(format: .idx, dir: dir, train: "five", test: "x", trainLabels: "five-labels")
        XCTAssertThrowsError(try PairedImages.load(relabelled, split: .train, matching: main)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(self.dir)/five-labels: expected the labels of \(self.dir)/main-images in the same order, found label 1 at index 3, "
                    + "where it has 0")
        }
        let records: [UInt8] = (0..<5).flatMap { i -> [UInt8] in [UInt8(i == 2 ? 0 : i % 3), 1, 2] }
        try write(records, "records")
        let cifar = PairedSource(format: .cifar, dir: dir, train: "records", test: "x", shape: [1, 1, 2])
        XCTAssertThrowsError(try PairedImages.load(cifar, split: .train, matching: main)) { error in
            XCTAssertTrue("\(error)".contains("records: expected the labels of \(self.dir)/main-images"), "\(error)")
            XCTAssertTrue("\(error)".contains("label 0 at index 2, where it has 2"), "\(error)")
        }
        let missing = PairedSource(format: .idx, dir: dir, train: "absent", test: "x")
        XCTAssertThrowsError(try PairedImages.load(missing, split: .train, matching: main)) {
            XCTAssertTrue("\($0)".hasPrefix(self.dir + "/absent"), "\($0)")
        }
    }
}
