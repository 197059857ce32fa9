// Malformed and hostile safetensors files: each is rejected with its exact one-line error, and
// no truncation or byte corruption of a valid file can crash the reader.

import Foundation
import KDNN
import KDTensor
import XCTest

final class SafetensorsMalformedTests: XCTestCase {
    private var dir = ""

    override func setUp() {
        super.setUp()
        dir = makeTempDir(self)
    }

    /// Asserts that the file made of `bytes` is rejected with `<path>: <message>`.
    private func assertRejected(_ bytes: [UInt8], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let path = writeBytes(bytes, dir, "bad.safetensors")
        assertCheckpointError("\(path): \(message)", file: file, line: line) { _ = try SafetensorsFile.read(path: path) }
    }

    private func entry(_ name: String = "w", dtype: String = #""F32""#, shape: String = "[1]", offsets: String = "[0,4]")
        -> String
    {
        #"{"\#(name)":{"dtype":\#(dtype),"shape":\#(shape),"data_offsets":\#(offsets)}}"#
    }

    private let four: [UInt8] = [0, 0, 128, 63]

    func testFileLevelDefects() {
        assertRejected([], "file size: expected at least 8 bytes (the header length), found 0 bytes (empty or truncated file)")
        assertRejected(
            [8, 0, 0], "file size: expected at least 8 bytes (the header length), found 3 bytes (empty or truncated file)")
        assertRejected(rawSafetensors(header: "", declaredLength: 0), "header length: expected a positive byte count, found 0")
        assertRejected(
            rawSafetensors(header: "{}", declaredLength: 1 << 62),
            "header length: expected at most 100000000 bytes, found 4611686018427387904 bytes (not a safetensors file?)")
        assertRejected(
            rawSafetensors(header: "{}", declaredLength: .max),
            "header length: expected at most 100000000 bytes, found 18446744073709551615 bytes (not a safetensors file?)")
        assertRejected(
            rawSafetensors(header: "{}", data: [1, 2], declaredLength: 100),
            "header length: expected at most 4 bytes (the rest of the file), found 100 bytes (truncated file?)")
    }

    func testHeaderTextDefects() {
        assertRejected(
            rawSafetensors(headerBytes: [UInt8(ascii: "{"), 0xFF, UInt8(ascii: "}")]),
            "header: expected UTF-8 text, found invalid UTF-8")
        assertRejected(
            rawSafetensors(header: "hello"),
            "header: expected a JSON object, found invalid JSON (line 1, column 1: expected a value, found 'hello')")
        assertRejected(rawSafetensors(header: "[1,2]"), "header: expected a JSON object, found an array")
        assertRejected(rawSafetensors(header: #""text""#), "header: expected a JSON object, found a string")
        assertRejected(
            rawSafetensors(header: #"{"a":"#),
            "header: expected a JSON object, found invalid JSON (line 1, column 6: expected a value, found end of input)")
        assertRejected(
            rawSafetensors(header: "{} x"),
            "header: expected a JSON object, found invalid JSON (line 1, column 4: expected end of input, found 'x')")
        assertRejected(
            rawSafetensors(header: entry() + "\u{0}"),
            "header: expected a JSON object, found invalid JSON (line 1, column 55: expected end of input, found control character U+0000)"
        )
        assertRejected(
            rawSafetensors(header: #"{"w":1,"w":2}"#),
            #"header: expected a JSON object, found invalid JSON (line 1, column 8: duplicate key "w")"#)
        assertRejected(
            rawSafetensors(header: #"{"a":"\x"}"#),
            #"header: expected a JSON object, found invalid JSON (line 1, column 8: expected an escape (\" \\ \/ \b \f \n \r \t \uXXXX), found 'x')"#
        )
        assertRejected(
            rawSafetensors(header: #"{"a":"\ud800"}"#),
            #"header: expected a JSON object, found invalid JSON (line 1, column 13: expected a low surrogate \uDC00-\uDFFF after \uD800, found '"')"#
        )
        assertRejected(
            rawSafetensors(header: "{\"a\":\"x\ny\"}"),
            "header: expected a JSON object, found invalid JSON (line 1, column 8: expected a character or an escape, found control character U+000A)"
        )
        let deep = "{\"a\":" + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}"
        assertRejected(
            rawSafetensors(header: deep),
            "header: expected a JSON object, found invalid JSON (line 1, column 13: nesting deeper than 8 levels)")
    }

    func testEntryDefects() {
        assertRejected(
            rawSafetensors(header: #"{"w":3}"#, data: four),
            "w: expected an object with dtype, shape and data_offsets, found an integer")
        assertRejected(
            rawSafetensors(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}"#, data: four),
            #"w: expected only the keys dtype, shape and data_offsets, found the key "x""#)
        assertRejected(
            rawSafetensors(header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: four),
            "w.data_offsets: expected a value, found no such key")
        assertRejected(
            rawSafetensors(header: entry(dtype: #""F8""#), data: four),
            #"w.dtype: expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, found "F8""#)
        assertRejected(
            rawSafetensors(header: entry(dtype: "5"), data: four),
            "w.dtype: expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, found 5")
    }

    func testShapeDefects() {
        let msg = "w.shape: expected an array of non-negative integers, found "
        assertRejected(rawSafetensors(header: entry(shape: "[-1]"), data: four), msg + "[-1]")
        assertRejected(
            rawSafetensors(header: entry(shape: "[1.5]"), data: four), msg + "[1.5] (element 0 is the real number 1.5)")
        assertRejected(rawSafetensors(header: entry(shape: "[1e0]"), data: four), msg + "[1] (element 0 is the real number 1.0)")
        assertRejected(rawSafetensors(header: entry(shape: "3"), data: four), msg + "3")
        assertRejected(rawSafetensors(header: entry(shape: #"["1"]"#), data: four), msg + #"["1"]"#)
        assertRejected(
            rawSafetensors(header: entry(shape: "[99999999999999999999]"), data: four),
            msg + "[1e+20] (element 0 is the real number 1e+20)")
        assertRejected(
            rawSafetensors(header: entry(shape: "[4294967296,4294967296]"), data: four),
            "w.shape: expected an element count that fits in 64 bits, found [4294967296,4294967296]")
        assertRejected(
            rawSafetensors(header: entry(shape: "[4611686018427387904,4,0]", offsets: "[0,0]"), data: []),
            "w.shape: expected an element count that fits in 64 bits, found [4611686018427387904,4,0]")
        assertRejected(
            rawSafetensors(header: entry(shape: "[4611686018427387904]"), data: four),
            "w.shape: expected a byte count that fits in 64 bits, found [4611686018427387904]")
    }

    func testOffsetDefects() {
        let range = "w.data_offsets: expected 0 ≤ begin ≤ end ≤ 4 (the data size), found "
        assertRejected(rawSafetensors(header: entry(offsets: "[0,400]"), data: four), range + "[0,400] (truncated file?)")
        assertRejected(rawSafetensors(header: entry(offsets: "[4,0]"), data: four), range + "[4,0]")
        assertRejected(rawSafetensors(header: entry(offsets: "[-4,0]"), data: four), range + "[-4,0]")
        assertRejected(
            rawSafetensors(header: entry(offsets: "[0,9223372036854775807]"), data: four),
            range + "[0,9223372036854775807] (truncated file?)")
        let shape = "w.data_offsets: expected two integers [begin, end], found "
        assertRejected(rawSafetensors(header: entry(offsets: "[0,4,8]"), data: four), shape + "[0,4,8]")
        assertRejected(rawSafetensors(header: entry(offsets: "[0]"), data: four), shape + "[0]")
        assertRejected(
            rawSafetensors(header: entry(offsets: "[0,4.0]"), data: four), shape + "[0,4] (element 1 is the real number 4.0)")
        assertRejected(rawSafetensors(header: entry(offsets: "null"), data: four), shape + "null")
        assertRejected(
            rawSafetensors(header: entry(shape: "[2]"), data: four),
            "w.data_offsets: expected 8 bytes for F32 of shape [2], found 4 bytes (0..<4)")
        assertRejected(
            rawSafetensors(header: entry(dtype: #""F16""#), data: four),
            "w.data_offsets: expected 2 bytes for F16 of shape [1], found 4 bytes (0..<4)")
    }

    func testLayoutDefects() {
        let twelve = [UInt8](repeating: 0, count: 12)
        let overlap =
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        assertRejected(
            rawSafetensors(header: overlap, data: twelve),
            "b.data_offsets: expected bytes no other tensor uses, found 4..<12, overlapping a at 0..<8")
        let same = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#
        assertRejected(
            rawSafetensors(header: same, data: four),
            "b.data_offsets: expected bytes no other tensor uses, found 0..<4, overlapping a at 0..<4")
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        assertRejected(
            rawSafetensors(header: gap, data: twelve),
            "data region: expected tensors covering every byte, found bytes 4..<8 belonging to no tensor")
        assertRejected(
            rawSafetensors(header: entry(), data: four + four),
            "data region: expected 4 bytes (the end of the last tensor), found 8 bytes (trailing bytes after the tensors)")
    }

    func testMetadataDefects() {
        assertRejected(
            rawSafetensors(header: #"{"__metadata__":{"k":1}}"#), "__metadata__.k: expected a string, found an integer 1")
        assertRejected(
            rawSafetensors(header: #"{"__metadata__":{"k":{"x":"y"}}}"#),
            #"__metadata__.k: expected a string, found an object {"x":"y"}"#)
        assertRejected(
            rawSafetensors(header: #"{"__metadata__":["a"]}"#), "__metadata__: expected an object of strings, found an array")
    }

    func testMissingPathsAndDirectories() {
        assertCheckpointError("\(dir)/none.safetensors: file: expected an existing safetensors file, found no such file") {
            _ = try SafetensorsFile.read(path: dir + "/none.safetensors")
        }
        assertCheckpointError("\(dir): file: expected a safetensors file, found a directory") {
            _ = try SafetensorsFile.read(path: dir)
        }
        assertCheckpointError("/dev/null: file: expected a regular file, found a character device") {
            _ = try SafetensorsFile.read(path: "/dev/null")
        }
    }

    func testReadsThroughSymbolicLinks() throws {
        try SafetensorsFile(tensors: [("w", Tensor(shape: [1], scalars: [4]))]).write(to: dir + "/real.safetensors")
        try FileManager.default.createSymbolicLink(
            atPath: dir + "/link.safetensors", withDestinationPath: dir + "/real.safetensors")
        XCTAssertEqual(try SafetensorsFile.read(path: dir + "/link.safetensors").tensor(named: "w")?.scalars, [4])
    }

    func testTruncationsAndCorruptionsNeverCrash() throws {
        let path = dir + "/good.safetensors"
        var rng = SeededGenerator(seed: 11)
        try SafetensorsFile(
            tensors: [("a.weight", Tensor.randomNormal([3, 4], rng: &rng)), ("b", Tensor(2))],
            metadata: ["format": "kdistill.v1"], dtypes: ["b": .I64]
        ).write(to: path)
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var outcomes = [0, 0]
        func attempt(_ bytes: [UInt8]) {
            do { _ = try SafetensorsFile.decode(bytes, source: "mut"); outcomes[0] += 1 } catch is CheckpointError {
                outcomes[1] += 1
            } catch {
                XCTFail("unexpected error \(error)")
            }
        }
        for cut in 0..<good.count { attempt(Array(good[0..<cut])) }
        for _ in 0..<2000 {
            var bytes = good
            for _ in 0..<(1 + rng.int(below: 3)) { bytes[rng.int(below: bytes.count)] = UInt8(rng.int(below: 256)) }
            attempt(bytes)
        }
        XCTAssertGreaterThan(outcomes[1], good.count - 1, "every truncation is rejected")
    }
}
