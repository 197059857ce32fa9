// CorruptedFilesTests: the IDX writer and the variant directories of `kdistill corrupt`: gray (idx3)
// and colour (idx4) sets written and read back unchanged, the bytes of the header, and bad directories.

import Foundation
import KDData
import TestSupport
import XCTest

final class CorruptedFilesTests: XCTestCase {
    func testHeaderIsBigEndianWithTheRankInTheMagic() {
        XCTAssertEqual(IDXWriter.header(dims: [2, 28, 28]), [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28])
        XCTAssertEqual(IDXWriter.header(dims: [70_000]), [0, 0, 8, 1, 0, 1, 0x11, 0x70])
    }

    func testGrayAndColourVariantsRoundTrip() throws {
        let root = TinyDatasetFiles.temporaryDirectory("corrupted-files")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let gray = try CorruptionTests.gray(count: 5).corrupted(.shotNoise, severity: 2, table: .mnistC, seed: 1)
        let dir = CorruptedFiles.directory(root: root, corruption: .shotNoise, severity: 2)
        XCTAssertEqual(dir, root + "/shot_noise/2")
        let paths = try CorruptedFiles.write(gray, to: dir)
        XCTAssertEqual(paths.images, dir + "/images-idx3-ubyte")
        // The gray file is an MNIST images file: the existing reader takes it as it is.
        let mnist = try IDXReader.loadPair(
            images: paths.images, labels: paths.labels, height: 28, width: 28, numClasses: 10, classNames: gray.classNames)
        XCTAssertEqual(mnist.pixels, gray.pixels)
        let back = try CorruptedFiles.read(directory: dir, numClasses: 10)
        XCTAssertEqual(back.pixels, gray.pixels)
        XCTAssertEqual(back.labels, gray.labels)
        XCTAssertEqual(back.imageShape, [1, 28, 28])

        let rgb = try ImageDataset(
            pixels: (0..<120).map { (i: Int) -> UInt8 in UInt8(i * 3 % 256) }, labels: [3, 1], channels: 3, height: 4, width: 5,
            numClasses: 4)
        let rgbDir = root + "/rgb"
        XCTAssertEqual(try CorruptedFiles.write(rgb, to: rgbDir).images, rgbDir + "/images-idx4-ubyte")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: rgbDir + "/images-idx4-ubyte")))
        XCTAssertEqual(Array(bytes.prefix(20)), [0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5])
        let rgbBack = try CorruptedFiles.read(directory: rgbDir, numClasses: 4)
        XCTAssertEqual(rgbBack.pixels, rgb.pixels)
        XCTAssertEqual(rgbBack.labels, rgb.labels)
        XCTAssertEqual(rgbBack.imageShape, [3, 4, 5])
    }

    func testMissingOrMismatchedFilesAreOneLineErrors() throws {
        let root = TinyDatasetFiles.temporaryDirectory("corrupted-bad")
        defer { try? FileManager.default.removeItem(atPath: root) }
        XCTAssertThrowsError(try CorruptedFiles.read(directory: root, numClasses: 10)) {
            XCTAssertEqual(
                "\($0)", "\(root): expected images-idx3-ubyte or images-idx4-ubyte (kdistill corrupt's layout), found neither")
        }
        let data = try CorruptionTests.gray(count: 3)
        try CorruptedFiles.write(data, to: root)
        XCTAssertThrowsError(try CorruptedFiles.read(directory: root, numClasses: 2)) {
            XCTAssertTrue("\($0)".contains("labels in 0..<2"), "\($0)")
        }
        try Data(IDXWriter.header(dims: [2]) + [0, 1]).write(to: URL(fileURLWithPath: root + "/labels-idx1-ubyte"))
        XCTAssertThrowsError(try CorruptedFiles.read(directory: root, numClasses: 10)) {
            XCTAssertTrue("\($0)".contains("expected 3 labels"), "\($0)")
        }
    }
}
