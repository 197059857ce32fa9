// FileLock: an advisory flock(2) on a lock file, shared between processes (and between threads, each
// holding its own open file). Survives a concurrent unlink: a lock on a file no longer at its path is retried.

import Foundation

/// A held flock(2) lock; released by `unlock()` or when the object goes away (or the process dies).
public final class FileLock {
    /// The lock file.
    public let path: String
    private var fd: Int32

    /// Exclusive (one holder) or shared (many holders, no exclusive one).
    public enum Mode {
        case exclusive, shared
        var operation: Int32 { self == .exclusive ? LOCK_EX : LOCK_SH }
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { unlock() }

    /// Creates `path` if needed and locks it in `mode`, waiting for other holders.
    public static func acquire(_ path: String, _ mode: Mode) throws -> FileLock {
        guard let lock = try lock(path, mode, wait: true) else {  // waiting never gives up
            throw FileError(path, "flock", expected: "the lock", found: "no lock")
        }
        return lock
    }

    /// Creates `path` if needed and locks it in `mode` if nobody holds a conflicting lock; nil otherwise.
    public static func attempt(_ path: String, _ mode: Mode) throws -> FileLock? {
        try lock(path, mode, wait: false)
    }

    private static func lock(_ path: String, _ mode: Mode, wait: Bool) throws -> FileLock? {
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw FileError(path, "create", expected: "a lock file that can be opened", found: FileError.lastSystemError())
            }
            var result: Int32
            repeat { result = flock(fd, mode.operation | (wait ? 0 : LOCK_NB)) } while result != 0 && errno == EINTR
            if result != 0 {
                let reason = errno
                close(fd)
                if reason == EWOULDBLOCK && !wait { return nil }
                throw FileError(path, "flock", expected: "the lock", found: String(cString: strerror(reason)))
            }
            // The holder we waited for may have removed the file: our lock is then on an orphan inode.
            var held = stat(), current = stat()
            if fstat(fd, &held) == 0, stat(path, &current) == 0, held.st_ino == current.st_ino, held.st_dev == current.st_dev {
                return FileLock(path: path, fd: fd)
            }
            close(fd)
        }
    }

    /// Removes the lock file while still holding it (others waiting retry on a fresh file), then unlocks.
    public func removeAndUnlock() {
        guard fd >= 0 else { return }
        unlink(path)
        unlock()
    }

    /// Releases the lock.
    public func unlock() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }
}
