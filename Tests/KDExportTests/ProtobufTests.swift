// ProtobufTests: the wire-format writer against byte strings worked out by hand from the protobuf
// encoding rules (the documentation's own examples: 150, "testing", packed [3, 270, 86942]), the reader
// on everything the writer makes, and malformed input: an error with its offset, never a crash.

import KDExport
import XCTest

final class ProtobufTests: XCTestCase {
    func varint(_ v: UInt64) -> [UInt8] {
        var w = ProtoWriter()
        w.varint(v)
        return w.bytes
    }

    func testVarints() {
        XCTAssertEqual(varint(0), [0])
        XCTAssertEqual(varint(1), [1])
        XCTAssertEqual(varint(127), [0x7F])
        XCTAssertEqual(varint(128), [0x80, 0x01])
        XCTAssertEqual(varint(300), [0xAC, 0x02])
        XCTAssertEqual(varint(UInt64.max), [UInt8](repeating: 0xFF, count: 9) + [0x01])
        var w = ProtoWriter()
        w.int(1, -1)  // int64 −1: ten bytes, two's complement
        XCTAssertEqual(w.bytes, [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    func testFieldsAsTheDocumentationEncodesThem() {
        var w = ProtoWriter()
        w.int(1, 150)
        XCTAssertEqual(w.bytes, [0x08, 0x96, 0x01])
        w = ProtoWriter()
        w.string(2, "testing")
        XCTAssertEqual(w.bytes, [0x12, 0x07] + Array("testing".utf8))
        w = ProtoWriter()
        w.packedInts(4, [3, 270, 86942])
        XCTAssertEqual(w.bytes, [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05])
        w = ProtoWriter()
        w.float(1, 1)
        XCTAssertEqual(w.bytes, [0x0D, 0x00, 0x00, 0x80, 0x3F])
        w = ProtoWriter()
        w.double(2, 1)
        XCTAssertEqual(w.bytes, [0x11, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        w = ProtoWriter()
        w.message(3) { $0.int(1, 150) }
        XCTAssertEqual(w.bytes, [0x1A, 0x03, 0x08, 0x96, 0x01])
        XCTAssertEqual([Float(1), -2].littleEndianBytes, [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
    }

    func testReaderReadsWhatTheWriterWrites() throws {
        var w = ProtoWriter()
        w.int(1, -5)
        w.float(2, 0.25)
        w.string(3, "κd")
        w.message(4) { m in
            m.int(1, 1 << 40)
            m.packedFloats(2, [1.5, -3])
        }
        w.packedInts(5, [1, -2, 300])
        w.int(5, 7)  // a repeated field may mix packed and unpacked runs
        w.double(6, 2.5)
        var r = ProtoReader(w.bytes)
        var ints: [Int64] = []
        while let f = try r.next() {
            switch f.number {
            case 1: XCTAssertEqual(try f.int(), -5)
            case 2: XCTAssertEqual(try f.float(), 0.25)
            case 3: XCTAssertEqual(try f.string(), "κd")
            case 4:
                var m = try f.message()
                XCTAssertEqual(try m.next()?.int(), 1 << 40)
                XCTAssertEqual(try m.next()?.floats(), [1.5, -3])
                XCTAssertNil(try m.next())
            case 5: ints += try f.ints()
            case 6:
                guard case .fixed64(let bits) = f.value else { return XCTFail("field 6 is not fixed64") }
                XCTAssertEqual(Double(bitPattern: bits), 2.5)
            default: XCTFail("unexpected field \(f.number)")
            }
        }
        XCTAssertEqual(ints, [1, -2, 300, 7])
        XCTAssertTrue(r.isAtEnd)
    }

    func testMalformedInputIsAnErrorWithItsOffset() {
        let cases: [([UInt8], String, Int)] = [
            ([0x08], "truncated varint", 1),
            ([0x08, 0x80], "truncated varint", 1),
            ([0x12, 0x05, 0x61], "5 bytes long, only 1 remain", 0),
            ([0x0B], "wire type 3", 0),
            ([0x0F], "wire type 7", 0),
            ([0x00, 0x01], "field number 0", 0),
            ([0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01], "longer than", 1),
            ([0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x02], "longer than 64 bits", 1),
            ([0x0D, 0x00, 0x00], "truncated 32-bit", 1),
            ([0x09, 0x00], "truncated 64-bit", 1),
        ]
        for (bytes, message, offset) in cases {
            var r = ProtoReader(bytes)
            XCTAssertThrowsError(try { while try r.next() != nil {} }(), "\(bytes)") { error in
                guard let e = error as? ProtoError else { return XCTFail("\(error)") }
                XCTAssertTrue(e.message.contains(message), "\(bytes): \(e.message)")
                XCTAssertEqual(e.offset, offset, "\(bytes): \(e)")
            }
        }
        var r = ProtoReader([0x08, 0x01])
        XCTAssertThrowsError(try r.next()?.string())  // a varint is not bytes
        r = ProtoReader([0x12, 0x02, 0xC3, 0x28])
        XCTAssertThrowsError(try r.next()?.string())  // not UTF-8
        r = ProtoReader([0x12, 0x03, 0, 0, 0])
        XCTAssertThrowsError(try r.next()?.floats())  // packed floats of 3 bytes
    }
}
