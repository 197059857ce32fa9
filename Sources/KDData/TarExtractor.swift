// TarExtractor: safe extraction of a (gzip-compressed) tar archive, streamed: regular files and
// folders only, each file written atomically (temporary name, fsync, rename). Links are checked and skipped.

import Foundation
import KDSupport

/// Extracts tar archives without letting any entry escape the target directory.
public enum TarExtractor {
    /// Extracts `archive` (tar, or tar.gz detected by its magic) into `directory`; returns the files written,
    /// relative to `directory`. Absolute paths, `..` and links pointing outside are errors.
    @discardableResult
    public static func extract(archive: String, into directory: String) throws -> [String] {
        guard let f = fopen(archive, "rb") else {
            throw DataError(file: archive, expected: "a readable archive", found: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        let fileRead: (UnsafeMutablePointer<UInt8>, Int) throws -> Int = { buf, n in fread(buf, 1, n, f) }
        var magic = [UInt8](repeating: 0, count: 2)
        let got = fread(&magic, 1, 2, f)
        rewind(f)
        if got == 2 && Gzip.isGzip(magic) {
            let gz = try GzipReader(name: archive, source: fileRead)
            return try extract(name: archive, into: directory) { try gz.readFully(into: $0, count: $1) }
        }
        return try extract(name: archive, into: directory) { buf, n in
            var done = 0
            while done < n { let k = fread(buf + done, 1, n - done, f); if k == 0 { break }; done += k }
            return done
        }
    }

    /// Extracts a tar stream whose bytes `read(buffer, n)` supplies (fewer than `n` only at the end).
    public static func extract(
        name archive: String, into directory: String,
        read: (UnsafeMutablePointer<UInt8>, Int) throws -> Int
    ) throws -> [String] {
        try DataError.onFiles { try FileIO.makeDirectory(directory) }
        let chunk = 1 << 20
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer { buf.deallocate() }
        var offset = 0, written: [String] = []
        var longName: String?, longLink: String?
        func readExactly(_ n: Int, what: String) throws {
            let k = try read(buf, n)
            guard k == n else {
                throw DataError(
                    file: archive, expected: "\(n) more bytes (\(what)) at byte \(offset)",
                    found: "the end of the archive after \(k)")
            }
            offset += n
        }
        /// Streams `size` bytes plus padding to 512 into `sink`.
        func body(_ size: Int, what: String, _ sink: (UnsafeMutablePointer<UInt8>, Int) throws -> Void) throws {
            var left = size
            while left > 0 {
                let n = Swift.min(left, chunk)
                try readExactly(n, what: what)
                try sink(buf, n)
                left -= n
            }
            let padding = (512 - size % 512) % 512
            if padding > 0 { try readExactly(padding, what: "padding of \(what)") }
        }
        let discard: (UnsafeMutablePointer<UInt8>, Int) throws -> Void = { _, _ in }
        func bodyBytes(_ size: Int, what: String) throws -> [UInt8] {
            guard size <= 1 << 20 else {
                throw DataError(file: archive, expected: "a metadata entry under 1 MiB", found: "\(size) bytes")
            }
            var out: [UInt8] = []
            try body(size, what: what) { p, n in out.append(contentsOf: UnsafeBufferPointer(start: p, count: n)) }
            return out.prefix { $0 != 0 }
        }
        while true {
            let headerAt = offset
            let k = try read(buf, 512)
            if k == 0 { break }  // no end-of-archive blocks: accept a clean cut at a header boundary
            guard k == 512 else {
                throw DataError(file: archive, expected: "a 512-byte tar header at byte \(offset)", found: "\(k) bytes")
            }
            offset += 512
            guard let h = try TarHeader.parse(buf, archive: archive, offset: headerAt) else { break }
            let name = longName ?? h.name, link = longLink ?? h.linkName
            longName = nil; longLink = nil
            switch h.type {
            case UInt8(ascii: "L"):
                longName = String(decoding: try bodyBytes(h.size, what: "GNU long name"), as: UTF8.self)
            case UInt8(ascii: "K"):
                longLink = String(decoding: try bodyBytes(h.size, what: "GNU long link"), as: UTF8.self)
            case UInt8(ascii: "x"):
                let pax = TarHeader.paxRecords(try bodyBytes(h.size, what: "pax header"))
                longName = pax["path"]; longLink = pax["linkpath"]
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                let parts = try TarPath.safeComponents(name, archive: archive)
                guard !parts.isEmpty else {
                    throw DataError(file: archive, expected: "a file name", found: "an empty name at byte \(headerAt)")
                }
                let target = directory + "/" + parts.joined(separator: "/")
                try writeFile(target, archive: archive) { sink in try body(h.size, what: name, sink) }
                written.append(parts.joined(separator: "/"))
            case UInt8(ascii: "5"):
                let parts = try TarPath.safeComponents(name, archive: archive)
                if !parts.isEmpty {
                    try DataError.onFiles { try FileIO.makeDirectory(directory + "/" + parts.joined(separator: "/")) }
                }
                try body(h.size, what: name, discard)
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                let parts = try TarPath.safeComponents(name, archive: archive)
                try TarPath.checkLink(entry: parts, target: link, hard: h.type == UInt8(ascii: "1"), archive: archive)
                try body(h.size, what: name, discard)  // safe links are not materialised
            default:
                _ = try TarPath.safeComponents(name, archive: archive)
                try body(h.size, what: name, discard)  // devices, fifos, global pax headers: skipped
            }
        }
        return written
    }

    /// Writes a file by streaming chunks to a temporary name, then renaming it to `path` (AtomicFile).
    static func writeFile(
        _ path: String, archive: String,
        fill: (((UnsafeMutablePointer<UInt8>, Int) throws -> Void)) throws -> Void
    ) throws {
        let parent = (path as NSString).deletingLastPathComponent
        try DataError.onFiles { try FileIO.makeDirectory(parent) }
        guard !FileIO.isDirectory(path) else {
            throw DataError(file: archive, expected: "a file at \(path)", found: "an existing directory")
        }
        try DataError.onFiles {
            try AtomicFile.write(to: path) { sink in
                try fill { p, n in try sink.write(UnsafeRawBufferPointer(start: p, count: n)) }
            }
        }
    }
}
