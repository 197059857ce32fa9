// The PNG writer read back: signature, chunk order and lengths, every chunk's CRC-32 (checked with
// zlib's crc32), IHDR fields, and the IDAT stream inflated with zlib into the exact pixels.

import CZlib
import Foundation
import KDTrain
import XCTest

/// A decoded PNG (8-bit RGB, filter type 0 only, as kdistill writes them).
struct DecodedPNG {
    var width = 0, height = 0
    var chunkTypes: [String] = []
    var pixels: [UInt8] = []

    static func be32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }

    /// Decodes `bytes`, failing the test on any structural error.
    init(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(Array(bytes.prefix(8)), PNG.signature, file: file, line: line)
        var at = 8
        var idat: [UInt8] = []
        while at + 12 <= bytes.count {
            let length = Int(Self.be32(bytes, at))
            let type = Array(bytes[(at + 4)..<(at + 8)])
            let data = Array(bytes[(at + 8)..<(at + 8 + length)])
            let crc = Self.be32(bytes, at + 8 + length)
            let zlibCRC = (type + data).withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            XCTAssertEqual(crc, zlibCRC, "CRC of \(String(decoding: type, as: UTF8.self))", file: file, line: line)
            let name = String(decoding: type, as: UTF8.self)
            chunkTypes.append(name)
            if name == "IHDR" {
                width = Int(Self.be32(data, 0))
                height = Int(Self.be32(data, 4))
                XCTAssertEqual(Array(data[8...]), [8, 2, 0, 0, 0], file: file, line: line)
            }
            if name == "IDAT" { idat += data }
            at += 12 + length
        }
        XCTAssertEqual(at, bytes.count, file: file, line: line)
        let rowBytes = width * 3
        var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        var size = uLongf(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { dst in
            idat.withUnsafeBufferPointer { src in uncompress(dst.baseAddress, &size, src.baseAddress, uLong(src.count)) }
        }
        XCTAssertEqual(status, Z_OK, file: file, line: line)
        XCTAssertEqual(Int(size), raw.count, file: file, line: line)
        for y in 0..<height {
            XCTAssertEqual(raw[y * (rowBytes + 1)], 0, "filter type of row \(y)", file: file, line: line)
            pixels += raw[(y * (rowBytes + 1) + 1)...(y * (rowBytes + 1) + rowBytes)]
        }
    }
}

final class VizPNGTests: XCTestCase {
    func testCRC32KnownValues() {
        XCTAssertEqual(PNG.crc(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(PNG.crc([UInt8]()), 0)
        XCTAssertEqual(PNG.crc(Array("IEND".utf8)), 0xAE42_6082)  // the CRC every PNG ends with
        let whole = PNG.crc(Array("hello world".utf8))
        XCTAssertEqual(PNG.crc(Array(" world".utf8), continuing: PNG.crc(Array("hello".utf8))), whole)
    }

    func testPNGRoundTripsPixels() throws {
        var image = RGBImage(width: 7, height: 5, fill: (10, 20, 30))
        for y in 0..<5 { for x in 0..<7 { image.set(x: x, y: y, (UInt8(x * 30), UInt8(y * 50), UInt8((x * y * 13) % 256))) } }
        image.set(x: 100, y: 100, (1, 2, 3))  // outside: ignored
        let png = try DecodedPNG(try PNG.encode(image))
        XCTAssertEqual(png.chunkTypes, ["IHDR", "IDAT", "IEND"])
        XCTAssertEqual(png.width, 7)
        XCTAssertEqual(png.height, 5)
        XCTAssertEqual(png.pixels, image.pixels)
        XCTAssertEqual(png.pixels[(3 * 7 + 2) * 3 + 1], 150)
    }

    func testEmptyImageIsAnError() {
        XCTAssertThrowsError(try PNG.encode(RGBImage(width: 0, height: 3))) { error in
            XCTAssertTrue("\(error)".contains("non-empty"), "\(error)")
        }
    }

    func testDrawingTextAndRectangles() {
        var image = RGBImage(width: 20, height: 12)
        image.fill(x: -2, y: 10, w: 5, h: 10, (255, 0, 0))  // clipped
        XCTAssertTrue(image.pixel(x: 0, y: 11) == (255, 0, 0))
        XCTAssertTrue(image.pixel(x: 3, y: 11) == (255, 255, 255))
        image.draw(text: "T", x: 0, y: 0, scale: 1)
        XCTAssertTrue(image.pixel(x: 0, y: 0) == (0, 0, 0))  // the bar of the T
        XCTAssertTrue(image.pixel(x: 0, y: 1) == (255, 255, 255))
        XCTAssertTrue(image.pixel(x: 1, y: 4) == (0, 0, 0))  // its stem
        XCTAssertEqual(BitmapFont.glyph("a"), BitmapFont.glyph("A"))
        XCTAssertEqual(BitmapFont.glyph("ß"), BitmapFont.glyph("?"))
        XCTAssertEqual(BitmapFont.width("abc", scale: 2), 22)
    }

    func testColormapEndsAndBlend() {
        XCTAssertTrue(Colormap.color(0) == (0, 0, 4))
        XCTAssertTrue(Colormap.color(1) == (252, 255, 164))
        XCTAssertTrue(Colormap.color(-3) == Colormap.color(0))
        XCTAssertTrue(Colormap.color(.nan) == Colormap.color(0))
        XCTAssertTrue(Colormap.blend(base: (1, 1, 1), t: 0, alpha: 0) == (255, 255, 255))
        XCTAssertTrue(Colormap.blend(base: (0, 0, 0), t: 1, alpha: 1) == (252, 255, 164))
        XCTAssertTrue(Colormap.blend(base: (1, 0, 0), t: 0, alpha: 0.5) == (128, 0, 2))
    }
}
