// DownloadCLITests: `kdistill download` from a local HTTP server (`--mirror`): a tiny MNIST lands checked
// against `--checksums`; corrupted or unpublished files give one line and a non-zero exit; fashion-mnist
// uses Debian's installed copy without the network.

import Foundation
import TestSupport
import XCTest

final class DownloadCLITests: CLITestCase {
    static let names = [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    var server: LocalHTTPServer!
    var files: [String: [UInt8]] = [:]

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = try LocalHTTPServer()
        let source = dir + "/source"
        try TinyDatasetFiles.writeMNIST(directory: source, trainCount: 40, testCount: 20, gzip: true)
        for name in Self.names {
            files[name] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source + "/" + name)))
            server.serve("mnist/" + name, files[name] ?? [])
        }
    }

    override func tearDown() {
        server.stop()
        super.tearDown()
    }

    /// An md5sum-format file of the tiny files' true checksums.
    func checksums() throws -> String {
        try write(Self.names.map { "\(TestMD5.hex(files[$0] ?? []))  \($0)\n" }.joined(), to: "MD5SUMS")
    }

    func testTinyMNISTLandsFromTheMirror() throws {
        let r = try kdistill([
            "download", "mnist", "--dir", "got", "--mirror", server.baseURL + "mnist/", "--checksums", try checksums(),
        ])
        XCTAssertTrue(r.exited(with: 0), "\(r)")
        XCTAssertEqual(r.stdoutLines.last, "got")
        for name in Self.names {
            XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: absolute("got/" + name)))), files[name], name)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: absolute("got")).sorted(), Self.names.sorted())
        XCTAssertEqual(Set(server.requests.map(\.path)), Set(Self.names.map { "/mnist/" + $0 }))
        // The files are a usable dataset.
        try writeJSON(["data": ["dataset": "mnist", "dir": "got"], "model": "mlp-16", "epochs": 1], to: "c.json")
        try kdistillOK(["train-teacher", "c.json"])
        // A second download finds every file present and fetches nothing.
        let again = try kdistill([
            "download", "mnist", "--dir", "got", "--mirror", server.baseURL + "mnist/", "--checksums", try checksums(),
        ])
        XCTAssertTrue(again.exited(with: 0), "\(again)")
        XCTAssertEqual(server.requests.count, 4)
    }

    func testCorruptedFileGivesOneLineAndIsNotKept() throws {
        let bad = "train-labels-idx1-ubyte.gz"
        var corrupted = files[bad] ?? []
        corrupted[corrupted.count / 2] ^= 0xFF
        server.serve("mnist/" + bad, corrupted)
        let r = try kdistill([
            "download", "mnist", "--dir", "got", "--mirror", server.baseURL + "mnist/", "--checksums", try checksums(),
        ])
        XCTAssertFalse(r.exited(with: 0), "\(r)")
        let messages = r.stderrLines.filter { $0.hasPrefix("kdistill: ") }
        XCTAssertEqual(messages.count, 1, "\(r)")
        XCTAssertTrue(messages.first?.contains(bad) ?? false, "\(r)")
        XCTAssertTrue(messages.first?.contains("md5") ?? false, "\(r)")
        XCTAssertFalse(exists("got/" + bad), "a corrupted download is not kept")
        XCTAssertFalse(exists("got/" + bad + ".part"))
    }

    func testFilesNotMatchingThePublishedChecksumsAreRejected() throws {
        let r = try kdistill(["download", "mnist", "--dir", "got", "--mirror", server.baseURL + "mnist/"])
        XCTAssertFalse(r.exited(with: 0), "\(r)")
        let messages = r.stderrLines.filter { $0.hasPrefix("kdistill: ") }
        XCTAssertEqual(messages.count, 1, "\(r)")
        XCTAssertTrue(messages.first?.contains("f68b3c2dcbeaaa9fbdd348bbdeb94873") ?? false, "the published MD5: \(r)")
        let env = try kdistill(
            ["download", "mnist", "--dir", "got"], environment: ["KDISTILL_MIRROR": server.baseURL + "mnist/"])
        XCTAssertFalse(env.exited(with: 0), "\(env)")
        XCTAssertTrue(env.stderr.contains("127.0.0.1"), "$KDISTILL_MIRROR is used: \(env)")
    }

    func testBadChecksumFilesAndDeadMirrors() throws {
        let path = try write("not-a-digest  train-images-idx3-ubyte.gz\n", to: "bad.md5")
        assertInputError(
            try kdistill(["download", "mnist", "--dir", "got", "--checksums", path]), mentions: ["bad.md5", "line 1"])
        let other = try write("\(String(repeating: "0", count: 32))  cifar.tar.gz\n", to: "other.md5")
        assertInputError(
            try kdistill(["download", "mnist", "--dir", "got", "--checksums", other]), mentions: ["other.md5", "cifar.tar.gz"])
        assertInputError(try kdistill(["download", "mnist", "--checksums", "missing.md5"]), mentions: ["missing.md5"])
        let dead = "http://127.0.0.1:\(LocalHTTPServer.unusedPort())/"
        let r = try kdistill(
            ["download", "mnist", "--dir", "got", "--mirror", dead, "--checksums", try checksums()], timeout: 60)
        XCTAssertFalse(r.exited(with: 0), "\(r)")
        XCTAssertFalse(r.signaled || r.timedOut, "\(r)")
        XCTAssertEqual(r.stderrLines.filter { $0.hasPrefix("kdistill: ") }.count, 1, "\(r)")
    }

    func testFashionMNISTUsesTheInstalledDebianCopy() throws {
        try Self.requireFashionMNIST()
        let r = try kdistill(["download", "fashion-mnist", "--dir", "fm", "--mirror", server.baseURL])
        XCTAssertTrue(r.exited(with: 0), "\(r)")
        XCTAssertEqual(r.stdoutLines.last, Self.fashionMNIST)
        XCTAssertTrue(r.stderr.contains(Self.fashionMNIST), "\(r)")
        XCTAssertTrue(server.requests.isEmpty, "no network: \(server.requests)")
    }
}
