// ContentHashTests: XXH64 against the published test vectors (every length class: <4, 4..7, 8..31,
// one 32-byte stripe and beyond, seeded), streaming in odd pieces, files; FileLock's exclusion rules.

import Foundation
import KDSupport
import XCTest

final class ContentHashTests: XCTestCase {
    func testXXH64MatchesThePublishedVectors() {
        let vectors: [(UInt64, String, UInt64)] = [
            (0, "", 0xEF46_DB37_51D8_E999), (0, "a", 0xD24E_C4F1_A98C_6E5B), (0, "abc", 0x44BC_2CF5_AD77_0999),
            (0, "1234", 0xD831_6E61_D84F_6BA4), (0, "12345678", 0xD2D0_2F08_CF7C_FD4A),
            (0, "123456789012345", 0xC377_D78A_DE00_1A3C), (0, "1234567890123456", 0xB61C_33DC_6C59_F270),
            (0, "1234567890123456789012345678901", 0x8F36_7CB8_73A5_376E),
            (0, "12345678901234567890123456789012", 0x40FD_1AA5_2D98_274C),
            (0, "The quick brown fox jumps over the lazy dog", 0x0B24_2D36_1FDA_71BC),
            (5381, "", 0xAF38_2146_D5C3_CACF), (5381, "abc", 0x19D1_C1B5_C673_451F),
            (5381, "12345678901234567890123456789012", 0x38EA_26E7_C55F_8095),
        ]
        for (seed, text, expected) in vectors {
            XCTAssertEqual(XXH64.hash(Array(text.utf8), seed: seed), expected, "\"\(text)\" seed \(seed)")
        }
    }

    func testStreamingInPiecesEqualsOneShot() {
        let bytes = (0..<1000).map { UInt8(($0 * 131 + 7) % 256) }
        let whole = XXH64.hash(bytes)
        for piece in [1, 3, 7, 31, 32, 33, 100] {
            var h = XXH64()
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + piece)
                bytes[start..<end].withUnsafeBytes { h.update($0) }
                start = end
            }
            XCTAssertEqual(h.digest(), whole, "pieces of \(piece)")
        }
        var a = ContentHash(), b = ContentHash()
        bytes.withUnsafeBytes { a.update($0) }
        bytes[0..<500].withUnsafeBytes { b.update($0) }
        bytes[500...].withUnsafeBytes { b.update($0) }
        XCTAssertEqual(a.hex, b.hex)
        XCTAssertEqual(a.hex.count, 32)
        var c = ContentHash()
        bytes.dropLast().withUnsafeBytes { c.update($0) }
        XCTAssertNotEqual(a.hex, c.hex, "one byte fewer")
    }

    func testFileDigestIsTheBytesDigestAndMissingFilesFail() throws {
        let path = NSTemporaryDirectory() + "kd-hash-\(getpid())"
        defer { unlink(path) }
        let bytes = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var h = ContentHash()
        bytes.withUnsafeBytes { h.update($0) }
        XCTAssertEqual(try ContentHash.file(path), h.hex, "read in 4 MB chunks")
        XCTAssertThrowsError(try ContentHash.file(path + "-absent")) { XCTAssertTrue("\($0)".contains("-absent"), "\($0)") }
    }

    func testLocksExcludeAcrossOpenFiles() throws {
        let path = NSTemporaryDirectory() + "kd-lock-\(getpid())"
        defer { unlink(path) }
        let shared = try FileLock.acquire(path, .shared)
        XCTAssertNotNil(try FileLock.attempt(path, .shared), "shared locks coexist")
        XCTAssertNil(try FileLock.attempt(path, .exclusive), "no exclusive lock while shared is held")
        shared.unlock()
        let exclusive = try XCTUnwrap(try FileLock.attempt(path, .exclusive))
        XCTAssertNil(try FileLock.attempt(path, .shared))
        // A waiter blocked on the removed file retries on the new one instead of holding an orphan.
        let got = expectation(description: "waiter")
        DispatchQueue.global().async {
            if let lock = try? FileLock.acquire(path, .exclusive) {
                XCTAssertTrue(FileManager.default.fileExists(atPath: lock.path))
                got.fulfill()
            }
        }
        usleep(100_000)
        exclusive.removeAndUnlock()
        wait(for: [got], timeout: 10)
    }
}
