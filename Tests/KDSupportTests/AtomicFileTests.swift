// AtomicFile and FileIO: a write replaces the file whole or not at all and leaves no temporary behind;
// a finished `.part` file is committed under its name; reading rejects what is not a regular file.

import Foundation
import KDSupport
import TestSupport
import XCTest

final class AtomicFileTests: XCTestCase {
    var dir = ""

    override func setUp() {
        dir = TinyDatasetFiles.temporaryDirectory("support")
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(atPath: dir) }
    }

    func files() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    func testWriteReplacesWholeAndAFailedBodyLeavesTheOldFile() throws {
        let path = dir + "/a.txt"
        try AtomicFile.write("first\n", to: path)
        struct Stop: Error {}
        XCTAssertThrowsError(
            try AtomicFile.write(to: path) { sink in
                try sink.write(Array("half of the sec".utf8))
                throw Stop()
            }
        ) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(try FileIO.readText(path), "first\n")
        try AtomicFile.write([UInt8](repeating: 7, count: 100_000), to: path)
        XCTAssertEqual(try FileIO.readBytes(path), [UInt8](repeating: 7, count: 100_000))
        XCTAssertEqual(try files(), ["a.txt"], "no temporary file left behind")
    }

    func testWriteIntoAMissingDirectoryIsAOneLineError() {
        XCTAssertThrowsError(try AtomicFile.write("x", to: dir + "/none/a.txt")) { error in
            XCTAssertEqual(
                "\(error)",
                "\(dir)/none/a.txt: create: expected a writable file in an existing directory, "
                    + "found No such file or directory")
        }
    }

    func testCommitMovesAFinishedPartFile() throws {
        let part = dir + "/data.bin.part"
        FileManager.default.createFile(atPath: part, contents: Data([1, 2, 3]))
        try AtomicFile.write("old", to: dir + "/data.bin")
        try AtomicFile.commit(part, to: dir + "/data.bin")
        XCTAssertEqual(try FileIO.readBytes(dir + "/data.bin"), [1, 2, 3])
        XCTAssertEqual(try files(), ["data.bin"])
        XCTAssertThrowsError(try AtomicFile.commit(part, to: dir + "/data.bin")) { error in
            XCTAssertEqual("\(error)", "\(part): file: expected a readable file, found No such file or directory")
        }
    }

    func testReadBytesRejectsWhatIsNotARegularFile() throws {
        let cases: [(String, String)] = [
            (dir + "/none", "\(dir)/none: file: expected an existing thing, found no such file"),
            (dir, "\(dir): file: expected a thing, found a directory"),
            ("/dev/null", "/dev/null: file: expected a regular file, found a character device"),
        ]
        for (path, message) in cases {
            XCTAssertThrowsError(try FileIO.readBytes(path, kind: "thing")) { XCTAssertEqual("\($0)", message) }
        }
        try AtomicFile.write("linked", to: dir + "/real")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/real")
        XCTAssertEqual(try FileIO.readText(dir + "/link"), "linked")
        XCTAssertEqual(try FileIO.readBytes(dir + "/real").count, 6)
        try AtomicFile.write("", to: dir + "/empty")
        XCTAssertEqual(try FileIO.readBytes(dir + "/empty"), [])
    }

    func testReadLinesTrimsAndSkipsBlankLines() throws {
        try AtomicFile.write(" cat \r\n\n dog\rbird\n", to: dir + "/names.txt")
        XCTAssertEqual(try FileIO.readLines(dir + "/names.txt"), ["cat", "dog", "bird"])
    }
}
