// PNG: writes an RGBImage as a PNG file (8-bit truecolour, no interlace): signature, IHDR, one IDAT
// holding the zlib stream (deflate via the system zlib) of the scanlines with filter type 0, IEND;
// each chunk with its CRC-32 (zlib's crc32).

import CZlib
import Foundation
import KDSupport

/// A failure encoding or writing an image.
public struct ImageError: Error, CustomStringConvertible {
    /// One line: what failed, where.
    public let description: String
    /// An error with its message.
    public init(_ description: String) { self.description = description }
}

/// PNG encoding.
public enum PNG {
    /// The 8-byte PNG signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG bytes of `image`.
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        guard image.width > 0, image.height > 0 else {
            throw ImageError("PNG: expected a non-empty image, found \(image.width)x\(image.height)")
        }
        var header: [UInt8] = []
        header += be32(UInt32(image.width)) + be32(UInt32(image.height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace
        let rowBytes = image.width * 3
        var raw = [UInt8](repeating: 0, count: image.height * (rowBytes + 1))
        for y in 0..<image.height {
            raw[y * (rowBytes + 1)] = 0  // filter type None
            raw.replaceSubrange(
                (y * (rowBytes + 1) + 1)...(y * (rowBytes + 1) + rowBytes),
                with: image.pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
        }
        var out = signature
        out += chunk("IHDR", header)
        out += chunk("IDAT", try deflate(raw))
        out += chunk("IEND", [])
        return out
    }

    /// Writes `image` to `path` as PNG (atomically).
    public static func write(_ image: RGBImage, to path: String) throws {
        let bytes = try encode(image)
        do { try AtomicFile.write(bytes, to: path) } catch { throw ImageError("\(path): cannot write (\(error))") }
    }

    /// One chunk: length, type, data, CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return be32(UInt32(data.count)) + typeBytes + data + be32(crc(data, continuing: crc(typeBytes)))
    }

    /// The CRC-32 of `bytes` (ISO 3309, as PNG chunks carry it) from zlib, continuing from `crc`
    /// (the CRC of the bytes before; 0 to start).
    public static func crc(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(uLong(crc), $0.baseAddress, uInt($0.count))) }
    }

    /// `data` as a zlib stream (RFC 1950) at compression level 6.
    public static func deflate(_ data: [UInt8]) throws -> [UInt8] {
        var size = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { dst in
            data.withUnsafeBufferPointer { src in compress2(dst.baseAddress, &size, src.baseAddress, uLong(data.count), 6) }
        }
        guard status == Z_OK else { throw ImageError("PNG: zlib compress2 failed with status \(status)") }
        return Array(out[0..<Int(size)])
    }

    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
