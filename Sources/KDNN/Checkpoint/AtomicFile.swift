// AtomicFile: writes a file so that a crash never leaves it half-written: the bytes go to a
// temporary file in the same directory, are synced to disk, then renamed over the real name.

import Foundation

/// Crash-safe file writing (temporary file, fsync, rename, directory fsync).
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
                    throw CheckpointError(path, "write", expected: "the bytes written", found: AtomicFile.lastError())
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

    /// Runs `body` on a temporary file next to `path`, then syncs it and renames it to `path`.
    /// On any error the temporary file is removed and `path` is left as it was.
    public static func write(to path: String, _ body: (Sink) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let temp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CheckpointError(path, "create", expected: "a writable file in an existing directory", found: lastError())
        }
        var closed = false
        do {
            try body(Sink(fd: fd, path: path))
            guard fsync(fd) == 0 else {
                throw CheckpointError(path, "fsync", expected: "the data on disk", found: lastError())
            }
            closed = true
            guard close(fd) == 0 else {
                throw CheckpointError(path, "close", expected: "the file closed", found: lastError())
            }
            guard rename(temp, path) == 0 else {
                throw CheckpointError(path, "rename", expected: "the temporary file renamed into place", found: lastError())
            }
        } catch {
            if !closed { close(fd) }
            unlink(temp)
            throw error
        }
        let dirFD = open(dir, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
