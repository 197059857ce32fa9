// Helpers for the checkpoint tests: temporary directories, raw safetensors files built byte by
// byte (for malformed-file cases), and asserting the one-line error a call throws.

import Foundation
import KDNN
import KDTensor
import XCTest

/// A fresh empty directory under the system temporary directory, removed when `test` ends.
func makeTempDir(_ test: XCTestCase) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kdnn-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

/// Writes `bytes` to `dir/name` and returns the path.
@discardableResult
func writeBytes(_ bytes: [UInt8], _ dir: String, _ name: String) -> String {
    let path = dir + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// A safetensors file: 8-byte length (`declaredLength` or the header's), header text, data bytes.
func rawSafetensors(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    return rawSafetensors(headerBytes: h, data: data, declaredLength: declaredLength)
}

/// Like `rawSafetensors(header:)` with the header given as bytes (for invalid UTF-8).
func rawSafetensors(headerBytes h: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    var out = [UInt8]()
    withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
    return out + h + data
}

/// Asserts that `body` throws a `CheckpointError` whose one-line description is `expected`.
func assertCheckpointError(
    _ expected: String, file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> Void
) {
    do {
        try body()
        XCTFail("no error; expected: \(expected)", file: file, line: line)
    } catch let e as CheckpointError {
        XCTAssertEqual(e.description, expected, file: file, line: line)
        XCTAssertFalse(e.description.contains("\n"), "error spans lines", file: file, line: line)
    } catch {
        XCTFail("unexpected error type \(error)", file: file, line: line)
    }
}

/// Decodes a base64 fixture into a file in `dir`.
func fixtureFile(_ base64: String, _ dir: String, _ name: String) -> String {
    writeBytes(Array(Data(base64Encoded: base64) ?? Data()), dir, name)
}
