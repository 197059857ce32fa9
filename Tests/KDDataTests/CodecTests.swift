// CodecTests: MD5 against the RFC 1321 test suite, gzip inflation (stored, multi-member, corrupt),
// and tar extraction, including hostile archives that try to escape the target directory.

import KDData
import TestSupport
import XCTest

final class CodecTests: XCTestCase {
    /// A temporary directory removed when the test ends.
    private func tempDir(_ tag: String) -> String {
        let d = TinyDatasetFiles.temporaryDirectory(tag)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }

    func testMD5RFC1321Vectors() {
        let vectors = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (text, digest) in vectors { XCTAssertEqual(MD5.hex(Data(text.utf8)), digest, text) }
    }

    func testMD5IncrementalEqualsOneShotAcrossBlockBoundaries() throws {
        let data = (0..<1000).map { UInt8(($0 * 37) % 251) }
        let whole = MD5.hex(Data(data))
        for split in [1, 55, 56, 63, 64, 65, 128, 999] {
            var m = MD5()
            m.update(Data(data[0..<split]))
            m.update(Data(data[split...]))
            XCTAssertEqual(m.hexDigest(), whole, "split at \(split)")
        }
        let path = tempDir("md5") + "/f"
        try TinyDatasetFiles.write(data, to: path)
        XCTAssertEqual(try MD5.hex(file: path), whole)
    }

    func testGzipStoredAndMultiMember() throws {
        let a = (0..<70_000).map { UInt8($0 % 253) }, b = Array("tail".utf8)
        XCTAssertEqual(try Gzip.decompress(Data(TinyDatasetFiles.gzip(a))), Data(a))
        XCTAssertEqual(try Gzip.decompress(Data(TinyDatasetFiles.gzip(a) + TinyDatasetFiles.gzip(b))), Data(a + b))
        XCTAssertEqual(try Gzip.decompress(Data(TinyDatasetFiles.gzip([]))), Data())
    }

    func testGzipCorruptAndEmptyGiveErrors() {
        var bad = TinyDatasetFiles.gzip(Array("hello world".utf8))
        bad[bad.count - 6] ^= 0xFF  // CRC mismatch
        XCTAssertThrowsError(try Gzip.decompress(Data(bad), name: "x.gz")) { e in
            XCTAssertTrue("\(e)".hasPrefix("x.gz: expected valid gzip data"), "\(e)")
        }
        XCTAssertThrowsError(try Gzip.decompress(Data(), name: "y.gz")) { e in
            XCTAssertEqual("\(e)", "y.gz: expected complete gzip data, found an empty file")
        }
    }

    private func extract(_ entries: [TinyTarEntry], gzip: Bool = true) throws -> (dir: String, files: [String]) {
        let root = tempDir("tar")
        let archive = root + "/a.tar" + (gzip ? ".gz" : "")
        let tar = TinyTar.archive(entries)
        try TinyDatasetFiles.write(gzip ? TinyDatasetFiles.gzip(tar) : tar, to: archive)
        let files = try TarExtractor.extract(archive: archive, into: root + "/out")
        return (root + "/out", files)
    }

    func testTarExtractsFilesAndFolders() throws {
        let big = (0..<1500).map { UInt8($0 % 256) }
        for gz in [true, false] {
            let (dir, files) = try extract(
                [
                    .directory("d/"), .file("d/x.bin", big), .file("./top.txt", Array("hi".utf8)),
                    .symlink("d/inside", to: "../top.txt"),
                ], gzip: gz)
            XCTAssertEqual(files, ["d/x.bin", "top.txt"])
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/d/x.bin")), Data(big))
            XCTAssertEqual(try String(contentsOfFile: dir + "/top.txt", encoding: .utf8), "hi")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/d/x.bin.part"))
        }
    }

    func testTarRejectsEscapes() throws {
        let hostile: [(TinyTarEntry, String)] = [
            (.file("../x", [1]), "'..'"),
            (.file("a/../../x", [1]), "'..'"),
            (.file("/etc/evil", [1]), "absolute path /etc/evil"),
            (.symlink("link", to: "/etc/passwd"), "link -> /etc/passwd"),
            (.symlink("a/link", to: "../../outside"), "a/link -> ../../outside"),
            (TinyTarEntry(name: "hard", type: "1", linkName: "../x"), "hard -> ../x"),
        ]
        let root = tempDir("hostile")
        for (k, (entry, words)) in hostile.enumerated() {
            let archive = root + "/h\(k).tar"
            try TinyDatasetFiles.write(TinyTar.archive([.file("ok", [1]), entry]), to: archive)
            XCTAssertThrowsError(try TarExtractor.extract(archive: archive, into: root + "/a/b"), entry.name) { e in
                XCTAssertTrue(e is DataError && "\(e)".contains(words), "\(e)")
            }
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        XCTAssertEqual(left.filter { !$0.hasSuffix(".tar") }, ["a"], "nothing written outside the target")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/a/x"))
    }

    func testTarTruncatedAndCorruptHeader() throws {
        let tar = TinyTar.archive([.file("f", [UInt8](repeating: 7, count: 2000))])
        let root = tempDir("tar")
        try TinyDatasetFiles.write(Array(tar.prefix(1200)), to: root + "/cut.tar")
        XCTAssertThrowsError(try TarExtractor.extract(archive: root + "/cut.tar", into: root + "/o")) { e in
            XCTAssertTrue("\(e)".contains("the end of the archive"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/o/f"), "no half file under the real name")
        var corrupt = tar
        corrupt[10] ^= 0x55
        try TinyDatasetFiles.write(corrupt, to: root + "/bad.tar")
        XCTAssertThrowsError(try TarExtractor.extract(archive: root + "/bad.tar", into: root + "/o")) { e in
            XCTAssertTrue("\(e)".contains("checksum"), "\(e)")
        }
    }
}
