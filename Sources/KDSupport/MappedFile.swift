// MappedFile: a whole regular file mapped read-only (mmap(2)); pages load on first touch and the
// kernel may drop them again. Only for files replaced by rename, never truncated in place (SIGBUS).

import Foundation

/// A read-only memory mapping of a file, unmapped when the object goes away.
public final class MappedFile {
    /// The mapped file.
    public let path: String
    /// The file's bytes.
    public let bytes: UnsafeRawBufferPointer

    /// Maps the regular file at `path`; an empty file maps to an empty buffer.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let found = errno == ENOENT ? "no such file" : FileError.lastSystemError()
            throw FileError(path, "file", expected: "an existing file", found: found)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw FileError(path, "file", expected: "a regular file", found: "something else")
        }
        let size = Int(st.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw FileError(path, "mmap", expected: "the file mapped", found: FileError.lastSystemError())
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
