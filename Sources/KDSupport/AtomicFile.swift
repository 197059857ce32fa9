// AtomicFile: the one way kdistill writes a file so that a crash never leaves it half-written: the
// bytes go to a temporary file in the same directory, are synced to disk, then renamed over the name.

import Foundation

/// Crash-safe file writing (temporary file, fsync, rename, directory fsync). Used for checkpoints,
/// run files, reports, pictures, extracted archive members and finished downloads.
public enum AtomicFile {
    /// An open temporary file that `write(to:_:)` hands to its body.
    public struct Sink {
        let fd: Int32
        let path: String

        /// Appends `bytes` to the file.
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard let base = bytes.baseAddress else { return }
            var done = 0
            while done < bytes.count {
                let n = Foundation.write(fd, base + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError(path, "write", expected: "the bytes written", found: FileError.lastSystemError())
                }
                done += n
            }
        }

        /// Appends `bytes` to the file.
        public func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try $0.write(bytes) }
    }

    /// Writes the UTF-8 of `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Runs `body` on a temporary file next to `path`, then syncs it and renames it to `path`.
    /// On any error the temporary file is removed and `path` is left as it was.
    public static func write(to path: String, _ body: (Sink) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let temp =
            url.deletingLastPathComponent().path + "/." + url.lastPathComponent
            + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileError(
                path, "create", expected: "a writable file in an existing directory", found: FileError.lastSystemError())
        }
        do {
            do {
                try body(Sink(fd: fd, path: path))
                try sync(fd, path)
            } catch {
                close(fd)
                throw error
            }
            guard close(fd) == 0 else {
                throw FileError(path, "close", expected: "the file closed", found: FileError.lastSystemError())
            }
            try rename(temp, to: path)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Moves the finished file `temp` (a download's `.part`) to `path` in one step: syncs it, renames it
    /// over `path` and syncs the directory. `temp` must be in the same file system as `path`.
    public static func commit(_ temp: String, to path: String) throws {
        let fd = open(temp, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FileError(temp, "file", expected: "a readable file", found: FileError.lastSystemError())
        }
        defer { close(fd) }
        try sync(fd, temp)
        try rename(temp, to: path)
    }

    /// fsync(2) of an open file; `path` names errors.
    static func sync(_ fd: Int32, _ path: String) throws {
        guard fsync(fd) == 0 else {
            throw FileError(path, "fsync", expected: "the data on disk", found: FileError.lastSystemError())
        }
    }

    /// rename(2) of `temp` over `path`, then a best-effort fsync of the directory so the new name lasts.
    static func rename(_ temp: String, to path: String) throws {
        guard Foundation.rename(temp, path) == 0 else {
            throw FileError(
                path, "rename", expected: "the temporary file renamed into place", found: FileError.lastSystemError())
        }
        let dirFD = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }
}
