// Gzip: inflating `.gz` data through zlib (`inflateInit2` with 16 + MAX_WBITS), either a whole
// buffer at once (IDX files) or as a stream pulled chunk by chunk (tar.gz extraction).

import CZlib
import Foundation
import KDSupport

/// Pulls inflated bytes out of a gzip stream whose compressed bytes come from `source`.
/// Multi-member files are read through; bytes after the last member that are not gzip are ignored.
public final class GzipReader {
    /// Name used in error messages.
    public let name: String
    private let source: (UnsafeMutablePointer<UInt8>, Int) throws -> Int
    private var strm = z_stream()
    private let inCapacity = 1 << 16
    private let inBuffer: UnsafeMutablePointer<UInt8>
    private var memberEnded = false
    private var finished = false
    private var compressedSeen = 0

    /// A reader over compressed bytes that `source(buffer, capacity)` writes, returning 0 at the end.
    public init(name: String, source: @escaping (UnsafeMutablePointer<UInt8>, Int) throws -> Int) throws {
        self.name = name
        self.source = source
        inBuffer = .allocate(capacity: inCapacity)
        let rc = inflateInit2_(&strm, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            inBuffer.deallocate()
            throw DataError(file: name, expected: "zlib to initialise", found: "error code \(rc)")
        }
    }

    deinit {
        inflateEnd(&strm)
        inBuffer.deallocate()
    }

    private func refill() throws -> Bool {
        let got = try source(inBuffer, inCapacity)
        guard got > 0 else { return false }
        compressedSeen += got
        strm.next_in = inBuffer
        strm.avail_in = UInt32(got)
        return true
    }

    /// Writes up to `count` inflated bytes to `dst`; returns how many (0 only at the end of the stream).
    public func read(into dst: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        if finished || count == 0 { return 0 }
        strm.next_out = dst
        strm.avail_out = UInt32(Swift.min(count, Int(UInt32.max)))
        let requested = Int(strm.avail_out)
        while strm.avail_out > 0 {
            if strm.avail_in == 0, try !refill() {
                if memberEnded { finished = true; break }
                let what = compressedSeen == 0 ? "an empty file" : "a stream cut off after \(compressedSeen) bytes"
                throw DataError(file: name, expected: "complete gzip data", found: what)
            }
            if memberEnded {
                // Another member follows only if the gzip magic does; anything else is trailing padding.
                guard strm.next_in[0] == 0x1F else { finished = true; break }
                inflateReset(&strm)
                memberEnded = false
            }
            let rc = inflate(&strm, Z_NO_FLUSH)
            switch rc {
            case Z_STREAM_END: memberEnded = true
            case Z_OK: continue
            case Z_BUF_ERROR where strm.avail_in == 0: continue
            default:
                let msg = strm.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw DataError(file: name, expected: "valid gzip data", found: msg)
            }
        }
        return requested - Int(strm.avail_out)
    }

    /// Reads exactly `count` bytes unless the stream ends first; returns how many were read.
    public func readFully(into dst: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        var done = 0
        while done < count {
            let n = try read(into: dst + done, count: count - done)
            if n == 0 { break }
            done += n
        }
        return done
    }
}

/// Whole-buffer gzip helpers.
public enum Gzip {
    /// True when `bytes` starts with the gzip magic `1f 8b`.
    public static func isGzip<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var it = bytes.makeIterator()
        return it.next() == 0x1F && it.next() == 0x8B
    }

    /// The bytes of the file at `path`, inflated when it is gzip (by name or by magic).
    public static func readFile(_ path: String) throws -> [UInt8] {
        let raw = try DataError.onFiles { try FileIO.readBytes(path) }
        return path.hasSuffix(".gz") || isGzip(raw) ? try decompress(bytes: raw, name: path) : raw
    }

    /// Inflates a complete gzip file held in `data`.
    public static func decompress(_ data: Data, name: String = "<gzip data>") throws -> Data {
        Data(try decompress(bytes: [UInt8](data), name: name))
    }

    /// Inflates a complete gzip file held in `bytes`; errors name `name`.
    public static func decompress(bytes: [UInt8], name: String) throws -> [UInt8] {
        var offset = 0
        let reader = try GzipReader(name: name) { buf, cap in
            let n = Swift.min(cap, bytes.count - offset)
            if n > 0 {
                bytes.withUnsafeBufferPointer { src in buf.update(from: src.baseAddress! + offset, count: n) }
            }
            offset += n
            return n
        }
        var out = [UInt8]()
        // The trailer's ISIZE is the inflated size mod 2^32 (of the last member): a good capacity hint.
        if bytes.count >= 18 {
            let t = bytes.count - 4
            let hint = Int(bytes[t]) | Int(bytes[t + 1]) << 8 | Int(bytes[t + 2]) << 16 | Int(bytes[t + 3]) << 24
            out.reserveCapacity(Swift.min(hint, bytes.count * 1032 + 1024, 1 << 30))  // deflate expands at most ~1032x
        }
        let chunk = 1 << 20
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer { scratch.deallocate() }
        while true {
            let n = try reader.read(into: scratch, count: chunk)
            if n == 0 { break }
            out.append(contentsOf: UnsafeBufferPointer(start: scratch, count: n))
        }
        return out
    }
}
