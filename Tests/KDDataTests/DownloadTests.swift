// DownloadTests: the downloader against a local HTTP server on 127.0.0.1: a clean download, a
// resumed `.part`, a cut connection resumed on the next run, a corrupted file, 404, a dead server.

import KDData
import TestSupport
import XCTest

/// Records progress calls.
final class RecordingProgress: ProgressReporter {
    var events: [String] = []
    func begin(_ label: String, total: Int64?, already: Int64) { events.append("begin \(label) \(total ?? -1) \(already)") }
    func advance(to bytes: Int64) {}
    func end() { events.append("end") }
    func note(_ message: String) { events.append(message) }
}

final class DownloadTests: XCTestCase {
    private var server: LocalHTTPServer!
    private var dir = ""
    private var manifest: [RemoteFile] = []
    private var files: [String: [UInt8]] = [:]

    override func setUpWithError() throws {
        server = try LocalHTTPServer()
        dir = TinyDatasetFiles.temporaryDirectory("dl")
        let source = TinyDatasetFiles.temporaryDirectory("dl-src")
        defer { try? FileManager.default.removeItem(atPath: source) }
        try TinyDatasetFiles.writeMNIST(directory: source, trainCount: 30, testCount: 10, gzip: true)
        for name in DatasetName.mnist.officialManifest.map(\.name) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source + "/" + name)))
            files[name] = bytes
            server.serve("mnist/" + name, bytes)
            manifest.append(RemoteFile(name: name, path: "mnist/" + name, md5: MD5.hex(Data(bytes))))
        }
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func download(_ m: [RemoteFile]? = nil, mirror: String? = nil, progress: ProgressReporter? = nil) throws -> String {
        try DatasetDownloader.download(
            .mnist, into: dir, mirror: mirror ?? server.baseURL, manifest: m ?? manifest,
            progress: progress, systemDirectory: nil, timeout: 10)
    }

    func testDownloadVerifiesAndSkipsWhatIsPresent() throws {
        let progress = RecordingProgress()
        XCTAssertEqual(try download(progress: progress), dir)
        XCTAssertEqual(try DatasetLoader.load(.mnist, directory: dir, split: .train).count, 30)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), manifest.map(\.name).sorted())
        let big = files["train-images-idx3-ubyte.gz"]!.count
        XCTAssertTrue(progress.events.contains("begin train-images-idx3-ubyte.gz \(big) 0"), "\(progress.events)")
        XCTAssertEqual(server.requests.count, 4)
        _ = try download(progress: progress)
        XCTAssertEqual(server.requests.count, 4, "files with the right checksum are not fetched again")
        XCTAssertTrue(progress.events.last?.contains("already present") ?? false)
    }

    func testResumesAPartFile() throws {
        let name = "train-images-idx3-ubyte.gz", bytes = files[name]!
        try TinyDatasetFiles.write(Array(bytes.prefix(1000)), to: dir + "/" + name + ".part")
        _ = try download([manifest[0]])
        XCTAssertEqual(server.requests.last, LocalHTTPServer.Request(path: "/mnist/" + name, range: "bytes=1000-"))
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))), bytes)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/" + name + ".part"))
    }

    func testCutConnectionKeepsPartThenResumes() throws {
        let name = "train-images-idx3-ubyte.gz"
        server.cutConnection(path: "mnist/" + name, afterBytes: 5000)
        XCTAssertThrowsError(try download([manifest[0]])) { e in
            XCTAssertTrue("\(e)".contains(server.baseURL + "mnist/" + name) && "\(e)".contains("run again to resume"), "\(e)")
        }
        let kept = FileManager.default.fileExists(atPath: dir + "/" + name + ".part")
        XCTAssertTrue(kept)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/" + name))
        _ = try download([manifest[0]])
        XCTAssertEqual(server.requests.last?.range, "bytes=5000-")
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))), files[name]!)
    }

    func testCorruptedFileIsRemovedWithClearError() throws {
        let name = "t10k-labels-idx1-ubyte.gz"
        var corrupted = files[name]!
        corrupted[20] ^= 0xFF
        server.serve("mnist/" + name, corrupted)
        let entry = manifest.first { $0.name == name }!
        XCTAssertThrowsError(try download([entry])) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains(server.baseURL + "mnist/" + name), text)
            XCTAssertTrue(text.contains("expected md5 \(entry.md5), found md5 \(MD5.hex(Data(corrupted)))"), text)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "nothing under the final name, no .part")
    }

    func testMissingFileAndDeadServer() throws {
        XCTAssertThrowsError(try download([RemoteFile(name: "nope.gz", md5: String(repeating: "0", count: 32))])) { e in
            XCTAssertEqual("\(e)", "\(server.baseURL)nope.gz: expected HTTP 200, found HTTP 404")
        }
        let dead = "http://127.0.0.1:\(LocalHTTPServer.unusedPort())/"
        XCTAssertThrowsError(try download(mirror: dead)) { e in
            XCTAssertTrue("\(e)".hasPrefix(dead + "mnist/train-images-idx3-ubyte.gz: expected a reachable server"), "\(e)")
        }
    }

    func testMirrorFromEnvironment() throws {
        setenv(DatasetDownloader.mirrorEnvironmentKey, server.baseURL, 1)
        defer { unsetenv(DatasetDownloader.mirrorEnvironmentKey) }
        _ = try DatasetDownloader.download(.mnist, into: dir, manifest: manifest, progress: nil, systemDirectory: nil)
        XCTAssertEqual(server.requests.count, 4)
    }

    func testCIFARArchiveIsDownloadedAndExtracted() throws {
        let src = TinyDatasetFiles.temporaryDirectory("cifar-src")
        defer { try? FileManager.default.removeItem(atPath: src) }
        try TinyDatasetFiles.writeCIFAR10(directory: src, perBatch: 1, testCount: 2)
        let names = (1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin", "batches.meta.txt"]
        let entries: [TinyTarEntry] =
            [.directory("cifar-10-batches-bin/")]
            + (try names.map { n in
                .file(
                    "cifar-10-batches-bin/" + n,
                    [UInt8](try Data(contentsOf: URL(fileURLWithPath: src + "/cifar-10-batches-bin/" + n))))
            })
        let archive = TinyDatasetFiles.gzip(TinyTar.archive(entries))
        server.serve("cifar-10-binary.tar.gz", archive)
        let m = [RemoteFile(name: "cifar-10-binary.tar.gz", md5: MD5.hex(Data(archive)))]
        let out = try DatasetDownloader.download(.cifar10, into: dir, mirror: server.baseURL, manifest: m, progress: nil)
        XCTAssertEqual(try DatasetLoader.load(.cifar10, directory: out, split: .test).count, 2)
        XCTAssertEqual(try DatasetLoader.load(.cifar10, directory: out, split: .train).count, 5)
    }

    func testBrokenSystemFashionCopyFallsBackToDownload() throws {
        let fake = TinyDatasetFiles.temporaryDirectory("fake-system")
        defer { try? FileManager.default.removeItem(atPath: fake) }
        try TinyDatasetFiles.writeMNIST(directory: fake, trainCount: 3, testCount: 3, gzip: true)
        let progress = RecordingProgress()
        let out = try DatasetDownloader.download(
            .fashionMNIST, into: dir, mirror: server.baseURL, manifest: manifest,
            progress: progress, systemDirectory: fake)
        XCTAssertEqual(out, dir)
        XCTAssertTrue(progress.events.first?.contains("expected 60000 images, found 3") ?? false, "\(progress.events)")
    }

    func testOfficialManifestsAndURLs() {
        XCTAssertEqual(
            DatasetName.cifar10.officialManifest[0].url(base: DatasetName.cifar10.officialBaseURL),
            "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")
        XCTAssertEqual(DatasetName.mnist.officialManifest.count, 4)
        for name in DatasetName.allCases {
            for f in name.officialManifest { XCTAssertEqual(f.md5.count, 32) }
        }
    }
}
