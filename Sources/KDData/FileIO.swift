// FileIO: reading a whole file into bytes (inflating `.gz` transparently) and small path helpers,
// with every failure turned into a DataError naming the path.

import Foundation

/// File helpers shared by the readers and the downloader.
enum FileIO {
    /// True when `path` exists and is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// True when `path` exists and is a regular file (or a link to one).
    static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }

    /// Size in bytes of the file at `path`, or nil when absent.
    static func size(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    /// `dir/name` without doubling slashes.
    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    /// Creates `path` and its parents; a failure becomes a DataError.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw DataError(file: path, expected: "a directory that can be created", found: "\(error.localizedDescription)")
        }
    }

    /// The whole file at `path` as bytes.
    static func readBytes(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(file: path, expected: "an existing file", found: "no such file")
        }
        guard !isDirectory(path) else {
            throw DataError(file: path, expected: "a file", found: "a directory")
        }
        guard let f = fopen(path, "rb") else {
            throw DataError(file: path, expected: "a readable file", found: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        let size = Int(Self.size(path) ?? 0)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, initialized in
            initialized = size == 0 ? 0 : fread(buf.baseAddress!, 1, size, f)
            failed = initialized != size
        }
        if failed {
            throw DataError(file: path, expected: "\(size) readable bytes", found: "\(bytes.count)")
        }
        return bytes
    }

    /// The file's bytes, inflated when it is gzip (by name or by magic).
    static func readMaybeGzip(_ path: String) throws -> [UInt8] {
        let raw = try readBytes(path)
        if path.hasSuffix(".gz") || Gzip.isGzip(raw) {
            return try Gzip.decompress(bytes: raw, name: path)
        }
        return raw
    }

    /// Non-empty, trimmed lines of a small text file.
    static func readLines(_ path: String) throws -> [String] {
        let bytes = try readBytes(path)
        let text = String(decoding: bytes, as: UTF8.self)
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
