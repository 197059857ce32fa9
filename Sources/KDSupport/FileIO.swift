// FileIO: reading a whole file into bytes (regular files only, every failure a FileError naming the
// path) and small path helpers shared by the data readers, the checkpoint reader and the report.

import Foundation

/// File helpers shared by every module that reads files.
public enum FileIO {
    /// True when `path` exists and is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// True when `path` exists and is a regular file (or a link to one).
    public static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }

    /// Size in bytes of the file at `path`, or nil when absent.
    public static func size(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    /// `dir/name` without doubling slashes.
    public static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    /// Creates `path` and its parents.
    public static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileError(path, "mkdir", expected: "a directory that can be created", found: error.localizedDescription)
        }
    }

    /// The whole regular file at `path` (symbolic links followed) as bytes; `kind` names it in errors
    /// (`an existing safetensors file`). Read, not mapped: a file truncated while mapped would crash.
    public static func readBytes(_ path: String, kind: String = "file") throws -> [UInt8] {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let found = errno == ENOENT ? "no such file" : FileError.lastSystemError()
            throw FileError(path, "file", expected: "an existing \(kind)", found: found)
        }
        let type = st.st_mode & S_IFMT
        guard type != S_IFDIR else { throw FileError(path, "file", expected: "a \(kind)", found: "a directory") }
        guard type == S_IFREG else {
            let kinds: [mode_t: String] = [
                S_IFCHR: "a character device", S_IFBLK: "a block device", S_IFSOCK: "a socket", S_IFIFO: "a pipe",
            ]
            throw FileError(path, "file", expected: "a regular file", found: kinds[type] ?? "a special file")
        }
        guard let f = fopen(path, "rb") else {
            throw FileError(path, "file", expected: "a readable file", found: FileError.lastSystemError())
        }
        defer { fclose(f) }
        let size = Int(st.st_size)
        var got = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, initialized in
            if let base = buf.baseAddress {
                while got < size {
                    let n = fread(base + got, 1, size - got, f)
                    if n == 0 { break }
                    got += n
                }
            }
            initialized = got
        }
        guard got == size else {
            throw FileError(path, "read", expected: "\(size) readable bytes", found: "\(got)")
        }
        return bytes
    }

    /// The file at `path` as UTF-8 text (invalid sequences replaced).
    public static func readText(_ path: String, kind: String = "file") throws -> String {
        String(decoding: try readBytes(path, kind: kind), as: UTF8.self)
    }

    /// Non-empty, trimmed lines of a small text file.
    public static func readLines(_ path: String) throws -> [String] {
        try readText(path).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
