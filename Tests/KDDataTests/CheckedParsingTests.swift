// CheckedParsingTests: KDData keeps Swift's runtime checks in release builds, and corrupted or cut
// IDX, gzip, CIFAR and tar bytes always end in a DataError (never a trap, never silent garbage).

import Foundation
import KDData
import TestSupport
import XCTest

final class CheckedParsingTests: XCTestCase {
    func testKDDataIsBuiltWithRuntimeChecks() {
        XCTAssertTrue(
            KDDataBuild.runtimeChecks, "KDData was compiled with -Ounchecked: its parsers would read out of range silently")
    }

    /// xorshift64*, so that the corruptions are the same on every run.
    struct Draws {
        var state: UInt64
        mutating func below(_ n: Int) -> Int {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 0x2545_F491_4F6C_DD1D) >> 1) % max(n, 1)
        }
    }

    /// `bytes` cut short or with a few bytes changed, `count` variants.
    static func corruptions(of bytes: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        var draws = Draws(state: seed)
        return (0..<count).map { k in
            if k % 2 == 0 { return Array(bytes.prefix(draws.below(bytes.count))) }
            var copy = bytes
            for _ in 0...draws.below(4) { copy[draws.below(copy.count)] ^= UInt8(1 + draws.below(255)) }
            return copy
        }
    }

    /// Runs `body` on every variant; each must succeed or throw a one-line DataError.
    func assertOnlyDataErrors(
        _ what: String, _ variants: [[UInt8]], line: UInt = #line, _ body: ([UInt8]) throws -> Void
    ) {
        var failures = 0
        for (k, bytes) in variants.enumerated() {
            do { try body(bytes) } catch let error as DataError {
                failures += 1
                XCTAssertFalse(error.description.contains("\n"), "\(what) #\(k): \(error)", line: line)
            } catch {
                XCTFail("\(what) #\(k): not a DataError: \(error)", line: line)
            }
        }
        XCTAssertGreaterThan(failures, variants.count / 4, "\(what): most corruptions are caught", line: line)
    }

    func testCorruptIDXAndGzipGiveDataErrors() {
        let images = TinyDatasetFiles.idxImages(count: 6, height: 5, width: 4)
        let labels = TinyDatasetFiles.idxLabels([0, 1, 2, 3, 4, 5])
        assertOnlyDataErrors("IDX images", Self.corruptions(of: images, count: 200, seed: 1)) {
            _ = try IDXReader.parse($0, magic: IDXReader.imagesMagic, file: "images")
        }
        assertOnlyDataErrors("IDX labels", Self.corruptions(of: labels, count: 100, seed: 2)) {
            _ = try IDXReader.parse($0, magic: IDXReader.labelsMagic, file: "labels")
        }
        assertOnlyDataErrors("gzip", Self.corruptions(of: TinyDatasetFiles.gzip(images), count: 200, seed: 3)) {
            _ = try IDXReader.parse(try Gzip.decompress(bytes: $0, name: "images.gz"), magic: IDXReader.imagesMagic, file: "x")
        }
    }

    func testCorruptCIFARRecordsGiveDataErrors() {
        let records = TinyDatasetFiles.cifarRecords(count: 3) { [UInt8($0 % 20), UInt8($0 % 100)] }
        assertOnlyDataErrors("CIFAR-100", Self.corruptions(of: records, count: 100, seed: 4)) {
            var pixels: [UInt8] = [], labels: [Int32] = []
            try CIFARReader.parse(
                $0, file: "train.bin", labelBytes: 2, labelIndex: 1, numClasses: 3, pixels: &pixels, labels: &labels)
        }
    }

    func testCorruptTarArchivesGiveDataErrors() throws {
        let dir = TinyDatasetFiles.temporaryDirectory("checked-tar")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tar = TinyTar.archive([
            .directory("cifar/"), .file("cifar/a.bin", [UInt8](repeating: 9, count: 700)),
            .file("cifar/b.txt", Array("x\n".utf8)),
        ])
        for (name, bytes) in [("tar", tar), ("tar.gz", TinyDatasetFiles.gzip(tar))] {
            var k = 0
            assertOnlyDataErrors(name, Self.corruptions(of: bytes, count: 60, seed: 5)) { variant in
                k += 1
                let archive = dir + "/\(k).\(name)"
                try TinyDatasetFiles.write(variant, to: archive)
                let out = dir + "/out\(k)"
                _ = try TarExtractor.extract(archive: archive, into: out)
                let stray = try FileManager.default.subpathsOfDirectory(atPath: out).filter { $0.contains(".tmp-") }
                XCTAssertEqual(stray, [], "\(name) #\(k): temporary files left")
            }
        }
    }
}
