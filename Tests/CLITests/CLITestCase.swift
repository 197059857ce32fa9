// CLITestCase: the base of the CLI tests: a fresh temporary directory per test (`kdistill-cli-*`,
// removed afterwards) that is the working directory of every `kdistill` run, plus helpers to write
// configs and read run files (JSON, JSON Lines) and the one assertion every bad input must pass.

import Foundation
import TestSupport
import XCTest

class CLITestCase: XCTestCase {
    /// Where Debian's dataset-fashion-mnist package puts the real data.
    static let fashionMNIST = "/usr/share/datasets/fashion-mnist"
    /// The runner, located once (nil with the reason when the binary is missing).
    static let located: Result<CLIRunner, Error> = Result { try CLIRunner.locate() }

    /// This test's private directory, the working directory of its runs.
    var dir = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        dir = Self.makeTemporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
        super.tearDown()
    }

    /// A new empty directory `kdistill-cli-<uuid>` under the system temporary directory.
    static func makeTemporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "kdistill-cli-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The runner, or an error naming how to build the binary.
    static func runner() throws -> CLIRunner { try located.get() }

    /// Skips the test when the real Fashion-MNIST is not installed.
    static func requireFashionMNIST() throws {
        let file = fashionMNIST + "/train-images-idx3-ubyte.gz"
        guard
            FileManager.default.fileExists(atPath: file)
                || FileManager.default.fileExists(atPath: fashionMNIST + "/train-images-idx3-ubyte")
        else { throw XCTSkip("\(fashionMNIST) is absent (apt-get install dataset-fashion-mnist)") }
    }

    /// The teacher cache of this test's runs (`KDISTILL_CACHE`), inside its directory: never the user's.
    var teacherCache: String { dir + "/teacher-cache" }

    /// Runs `kdistill arguments` in `directory` (default: this test's directory), with `KDISTILL_CACHE`
    /// pointing at `teacherCache` unless `environment` sets it.
    @discardableResult
    func kdistill(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:], timeout: Double = 120,
        signal: Int32? = nil, when trigger: CLISignalTrigger? = nil
    ) throws -> CLIResult {
        try startKdistill(arguments, in: directory, environment: environment, signal: signal, when: trigger)
            .wait(timeout: timeout)
    }

    /// Starts `kdistill arguments` as `kdistill` runs it and returns at once; `wait` on the result.
    func startKdistill(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:], signal: Int32? = nil,
        when trigger: CLISignalTrigger? = nil
    ) throws -> CLIRunning {
        try Self.runner().start(
            arguments, directory: directory ?? dir,
            environment: ["KDISTILL_CACHE": teacherCache].merging(environment) { $1 }, signal: signal, when: trigger)
    }

    /// Runs `kdistill arguments` and fails unless it exits 0; returns the result.
    @discardableResult
    func kdistillOK(
        _ arguments: [String], in directory: String? = nil, timeout: Double = 120, file: StaticString = #filePath,
        line: UInt = #line
    ) throws -> CLIResult {
        let r = try kdistill(arguments, in: directory, timeout: timeout)
        XCTAssertTrue(r.exited(with: 0), "\(r)", file: file, line: line)
        return r
    }

    /// Writes `text` to `name` under `directory` (default: this test's directory); returns the path.
    @discardableResult
    func write(_ text: String, to name: String, in directory: String? = nil) throws -> String {
        let path = (directory ?? dir) + "/" + name
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes `object` as JSON to `name`; returns the path.
    @discardableResult
    func writeJSON(_ object: [String: Any], to name: String, in directory: String? = nil) throws -> String {
        try write(try Self.json(object), to: name, in: directory)
    }

    /// `object` as JSON text.
    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The JSON object in the file at `path` (relative paths: under this test's directory).
    func readJSON(_ path: String) throws -> [String: Any] {
        try Self.parseObject(String(contentsOfFile: absolute(path), encoding: .utf8), source: path)
    }

    /// One JSON object per line of the JSON Lines file at `path`.
    func readJSONLines(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: absolute(path), encoding: .utf8)
        return try text.split(separator: "\n").map { try Self.parseObject(String($0), source: path) }
    }

    /// `text` parsed as a JSON object, or an error naming `source`.
    static func parseObject(_ text: String, source: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CLIRunnerError("\(source): expected a JSON object, found \(text.prefix(200))")
        }
        return object
    }

    /// `path`, made absolute against this test's directory.
    func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : dir + "/" + path }

    /// Whether `path` (relative to this test's directory) exists.
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: absolute(path)) }

    /// A bad input: exit status 2 (not a signal, trap or timeout), exactly one line on standard error that
    /// starts with `kdistill: ` and contains every string of `mentions`, and no crash report.
    func assertInputError(
        _ r: CLIResult, mentions: [String], status: Int32 = 2, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertTrue(r.exited(with: status), "expected exit status \(status): \(r)", file: file, line: line)
        let lines = r.stderrLines
        XCTAssertEqual(lines.count, 1, "expected one line on stderr: \(r)", file: file, line: line)
        guard let message = lines.first else { return }
        XCTAssertTrue(message.hasPrefix("kdistill: "), "expected 'kdistill: ...': \(r)", file: file, line: line)
        for text in mentions {
            XCTAssertTrue(message.contains(text), "expected the message to mention '\(text)': \(message)", file: file, line: line)
        }
        for crash in ["Fatal error", "Stack dump", "Illegal instruction", "Segmentation", "backtrace"] {
            XCTAssertFalse(r.stderr.contains(crash), "crash report on stderr: \(r)", file: file, line: line)
        }
    }
}
