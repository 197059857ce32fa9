// CorruptionTests: the corruptions' properties beyond the golden bytes: determinism (same seed, same
// bytes; another seed, other noise; any thread count), what a corrupted set keeps, the parsing of
// corruption and severity lists, the tables and their defaults by shape, and bad requests.

import KDData
import KDTensor
import TestSupport
import XCTest

final class CorruptionTests: XCTestCase {
    /// 40 gray 28x28 images with TinyDatasetFiles' pixels, labels 0…9.
    static func gray(count: Int = 40) throws -> ImageDataset {
        let size = 28 * 28
        return try ImageDataset(
            pixels: (0..<count * size).map { TinyDatasetFiles.pixel(image: $0 / size, byte: $0 % size) },
            labels: (0..<count).map { Int32($0 % 10) }, channels: 1, height: 28, width: 28, numClasses: 10,
            classNames: (0..<10).map { "c\($0)" }, source: "tiny")
    }

    func testSameSeedSameBytesAndOtherSeedOtherNoise() throws {
        let data = try Self.gray()
        for corruption in Corruption.allCases {
            let a = try data.corrupted(corruption, severity: 3, table: .mnistC, seed: 7)
            let b = try data.corrupted(corruption, severity: 3, table: .mnistC, seed: 7)
            let other = try data.corrupted(corruption, severity: 3, table: .mnistC, seed: 8)
            XCTAssertEqual(a.pixels, b.pixels, corruption.rawValue)
            XCTAssertNotEqual(a.pixels, data.pixels, corruption.rawValue)
            if corruption.isRandom {
                XCTAssertNotEqual(a.pixels, other.pixels, "\(corruption.rawValue): another seed, other noise")
            } else {
                XCTAssertEqual(a.pixels, other.pixels, "\(corruption.rawValue) draws nothing")
            }
        }
    }

    func testResultsDoNotDependOnTheThreadCount() throws {
        let data = try Self.gray()
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for corruption in [Corruption.gaussianNoise, .shotNoise, .impulseNoise] {
            Parallel.threads = 1
            let one = try data.corrupted(corruption, severity: 5, table: .mnistC, seed: 3)
            Parallel.threads = 3
            let three = try data.corrupted(corruption, severity: 5, table: .mnistC, seed: 3)
            XCTAssertEqual(one.pixels, three.pixels, corruption.rawValue)
        }
    }

    func testStreamsDifferPerImageSeverityAndCorruption() {
        let base = CorruptionStreams.seed(0, corruption: .gaussianNoise, severity: 1, image: 0)
        XCTAssertNotEqual(base, CorruptionStreams.seed(0, corruption: .gaussianNoise, severity: 1, image: 1))
        XCTAssertNotEqual(base, CorruptionStreams.seed(0, corruption: .gaussianNoise, severity: 2, image: 0))
        XCTAssertNotEqual(base, CorruptionStreams.seed(0, corruption: .shotNoise, severity: 1, image: 0))
        XCTAssertNotEqual(base, CorruptionStreams.seed(1, corruption: .gaussianNoise, severity: 1, image: 0))
        // Image i of seed s is not image i + 1 of another seed (no shifted copies between seeds).
        XCTAssertNotEqual(
            CorruptionStreams.seed(1, corruption: .gaussianNoise, severity: 1, image: 0),
            CorruptionStreams.seed(0, corruption: .gaussianNoise, severity: 1, image: 1))
    }

    func testCorruptedSetKeepsLabelsShapeNamesAndOrigins() throws {
        let data = try Self.gray().subset(indices: [5, 2, 9])
        let out = try data.corrupted(.pixelate, severity: 5, table: .mnistC, seed: 0)
        XCTAssertEqual(out.labels, data.labels)
        XCTAssertEqual(out.imageShape, [1, 28, 28])
        XCTAssertEqual(out.pixels.count, data.pixels.count)
        XCTAssertEqual(out.classNames, data.classNames)
        XCTAssertEqual((0..<3).map(out.origin(of:)), [5, 2, 9])
    }

    func testSimpleCasesByHand() throws {
        let flat = try ImageDataset(
            pixels: [UInt8](repeating: 100, count: 16), labels: [0], channels: 1, height: 4, width: 4, numClasses: 1)
        // Blur and pixelate leave a flat image flat; contrast keeps its mean; brightness adds c (0.5·255 = 127.5).
        for c in [Corruption.gaussianBlur, .pixelate, .contrast] {
            XCTAssertEqual(try flat.corrupted(c, severity: 5, table: .mnistC, seed: 0).pixels, flat.pixels, c.rawValue)
        }
        XCTAssertEqual(
            try flat.corrupted(.brightness, severity: 5, table: .mnistC, seed: 0).pixels, [UInt8](repeating: 227, count: 16))
        // Impulse noise only ever writes 0 or 255.
        let noisy = try Self.gray().corrupted(.impulseNoise, severity: 5, table: .mnistC, seed: 1)
        let changed = zip(noisy.pixels, try Self.gray().pixels).filter { $0 != $1 }.map(\.0)
        XCTAssertFalse(changed.isEmpty)
        XCTAssertTrue(changed.allSatisfy { $0 == 0 || $0 == 255 })
        // Severity 5 of impulse noise flips about 27% of pixels (half of them land on their own value rarely).
        let fraction = Double(changed.count) / Double(noisy.pixels.count)
        XCTAssertEqual(fraction, 0.27, accuracy: 0.03)
    }

    func testParsingCorruptionsAndSeverities() throws {
        XCTAssertEqual(try Corruption.parseList("all"), Corruption.allCases)
        XCTAssertEqual(try Corruption.parseList("contrast, gaussian_noise"), [.contrast, .gaussianNoise])
        XCTAssertEqual(
            Corruption.allCases.map(\.rawValue),
            [
                "gaussian_noise", "shot_noise", "impulse_noise", "gaussian_blur", "contrast", "brightness", "pixelate",
            ])
        XCTAssertEqual(try Severities.parse("1-5"), [1, 2, 3, 4, 5])
        XCTAssertEqual(try Severities.parse("1,3"), [1, 3])
        XCTAssertEqual(try Severities.parse("4"), [4])
        XCTAssertEqual(try Severities.parse("1-2,5"), [1, 2, 5])
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body() } catch { return "\(error)" }
            return "no error"
        }
        XCTAssertEqual(
            message { try Corruption.parseList("fog", context: "--corruptions") },
            "--corruptions: expected all or comma-separated names among gaussian_noise, shot_noise, impulse_noise, "
                + "gaussian_blur, contrast, brightness, pixelate, found 'fog'")
        XCTAssertTrue(message { try Corruption.parseList("contrast,") }.contains("an empty name"))
        XCTAssertTrue(message { try Corruption.parseList("contrast,contrast") }.contains("'contrast' twice"))
        for bad in ["0", "6", "3-1", "1-", "a", "", "1-2-3", "0-5"] {
            XCTAssertTrue(
                message { try Severities.parse(bad, context: "--severities") }.hasPrefix(
                    "--severities: expected severities in 1…5"), bad)
        }
        XCTAssertTrue(message { try Severities.parse("1-3,2") }.contains("2 twice"))
    }

    func testTablesAndTheirDefaults() throws {
        XCTAssertEqual(CorruptionTable.defaultTable(channels: 1, height: 28, width: 28), .mnistC)
        XCTAssertEqual(CorruptionTable.defaultTable(channels: 3, height: 32, width: 32), .cifar10C)
        XCTAssertNil(CorruptionTable.defaultTable(channels: 1, height: 8, width: 8))
        XCTAssertEqual(try CorruptionTable.resolve(nil, channels: 3, height: 32, width: 32), .cifar10C)
        XCTAssertEqual(try CorruptionTable.resolve("cifar10-c", channels: 1, height: 28, width: 28), .cifar10C)
        XCTAssertThrowsError(try CorruptionTable.resolve("imagenet-c", channels: 1, height: 28, width: 28)) {
            XCTAssertEqual("\($0)", "table: expected mnist-c or cifar10-c, found 'imagenet-c'")
        }
        XCTAssertThrowsError(try CorruptionTable.resolve(nil, channels: 1, height: 8, width: 8)) {
            XCTAssertTrue("\($0)".contains("1x8x8"))
        }
        XCTAssertEqual(CorruptionTable.mnistC.parameter(.shotNoise, severity: 1), 60)
        XCTAssertEqual(CorruptionTable.cifar10C.parameter(.pixelate, severity: 5), 0.65)
        for table in CorruptionTable.allCases {
            for c in Corruption.allCases { XCTAssertEqual(table.levels(c).count, 5) }
        }
    }

    func testBadRequestsAreErrors() throws {
        let data = try Self.gray(count: 2)
        XCTAssertThrowsError(try data.corrupted(.contrast, severity: 0, table: .mnistC, seed: 0)) {
            XCTAssertEqual("\($0)", "severity: expected a severity in 1…5, found 0")
        }
        let two = try ImageDataset(pixels: [1, 2, 3, 4], labels: [0], channels: 2, height: 1, width: 2, numClasses: 1)
        XCTAssertThrowsError(try two.corrupted(.brightness, severity: 1, table: .mnistC, seed: 0))
        XCTAssertNoThrow(try two.corrupted(.contrast, severity: 1, table: .mnistC, seed: 0))
    }
}
