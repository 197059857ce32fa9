// CorruptionGoldenTests: every corruption at every severity of both tables against the independent
// Python implementation of scripts/golden/corruptions.py (its generator, seeding rule and definitions),
// byte for byte, on two gray 1x8x8 and two RGB 3x8x8 images.

import KDData
import KDTensor
import XCTest

final class CorruptionGoldenTests: XCTestCase {
    func testGeneratorAndStreamSeedsMatchThePythonTwin() {
        var g = SeededGenerator(seed: CorruptionsGolden.seed)
        XCTAssertEqual((0..<4).map { _ in g.next() }, CorruptionsGolden.firstWords)
        for s in CorruptionsGolden.streamSeeds {
            let c = Corruption(rawValue: s.corruption)!
            XCTAssertEqual(
                CorruptionStreams.seed(CorruptionsGolden.seed, corruption: c, severity: s.severity, image: s.image), s.seed,
                "\(s)")
        }
    }

    func testEveryCorruptionAndSeverityMatchesTheGoldenBytes() throws {
        let gray = try ImageDataset(
            pixels: CorruptionsGolden.gray, labels: [1, 2], channels: 1, height: 8, width: 8, numClasses: 3)
        let rgb = try ImageDataset(
            pixels: CorruptionsGolden.rgb, labels: [0, 2], channels: 3, height: 8, width: 8, numClasses: 3)
        var checked = 0
        for table in CorruptionTable.allCases {
            for corruption in Corruption.allCases {
                for severity in Severities.range {
                    let key = "\(table.rawValue)/\(corruption.rawValue)/\(severity)"
                    let expected = try XCTUnwrap(CorruptionsGolden.outputs[key].map { Self.bytes(hex: $0.joined()) }, key)
                    let found =
                        try gray.corrupted(corruption, severity: severity, table: table, seed: CorruptionsGolden.seed).pixels
                        + rgb.corrupted(corruption, severity: severity, table: table, seed: CorruptionsGolden.seed).pixels
                    XCTAssertEqual(found.count, expected.count, key)
                    let differing = zip(found, expected).enumerated().filter { $0.element.0 != $0.element.1 }
                    XCTAssertTrue(
                        differing.isEmpty,
                        "\(key): \(differing.count) bytes differ, first at \(differing.first.map { "\($0.offset): \($0.element)" } ?? "")"
                    )
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, 70)
        XCTAssertEqual(CorruptionsGolden.outputs.count, 70)
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8).map { UInt8(Character(UnicodeScalar($0)).hexDigitValue ?? 0) }
        return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }
}
