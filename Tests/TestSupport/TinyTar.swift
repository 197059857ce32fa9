// TinyTar: writes ustar archives entry by entry, including hostile ones (absolute paths, `..`,
// links pointing outside), so extraction safety can be tested without any external tool.

import Foundation

/// One entry of a test archive.
public struct TinyTarEntry {
    /// Path stored in the header.
    public var name: String
    /// Type flag: "0" file, "5" directory, "1" hard link, "2" symlink.
    public var type: Character
    /// File contents (files only).
    public var data: [UInt8]
    /// Link target (links only).
    public var linkName: String

    /// An entry with every field given.
    public init(name: String, type: Character, data: [UInt8] = [], linkName: String = "") {
        self.name = name
        self.type = type
        self.data = data
        self.linkName = linkName
    }

    /// A regular file.
    public static func file(_ name: String, _ data: [UInt8]) -> TinyTarEntry {
        TinyTarEntry(name: name, type: "0", data: data, linkName: "")
    }
    /// A directory.
    public static func directory(_ name: String) -> TinyTarEntry {
        TinyTarEntry(name: name, type: "5", data: [], linkName: "")
    }
    /// A symbolic link.
    public static func symlink(_ name: String, to target: String) -> TinyTarEntry {
        TinyTarEntry(name: name, type: "2", data: [], linkName: target)
    }
}

/// ustar archive writer.
public enum TinyTar {
    /// The archive bytes: a 512-byte header per entry, data padded to 512, then two zero blocks.
    public static func archive(_ entries: [TinyTarEntry]) -> [UInt8] {
        var out: [UInt8] = []
        for e in entries {
            var h = [UInt8](repeating: 0, count: 512)
            put(&h, 0, Array(e.name.utf8.prefix(100)))
            put(&h, 100, Array("0000644\0".utf8))
            put(&h, 108, Array("0000000\0".utf8))
            put(&h, 116, Array("0000000\0".utf8))
            put(&h, 124, octal(e.data.count, 11))
            put(&h, 136, octal(0, 11))
            put(&h, 148, Array("        ".utf8))
            h[156] = e.type.asciiValue ?? 48
            put(&h, 157, Array(e.linkName.utf8.prefix(100)))
            put(&h, 257, Array("ustar\0".utf8) + Array("00".utf8))
            let sum = h.reduce(0) { $0 + Int($1) }
            put(&h, 148, octal(sum, 6) + [0, 32])
            out += h
            out += e.data
            out += [UInt8](repeating: 0, count: (512 - e.data.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    static func put(_ h: inout [UInt8], _ at: Int, _ bytes: [UInt8]) {
        for (k, b) in bytes.enumerated() { h[at + k] = b }
    }

    static func octal(_ v: Int, _ digits: Int) -> [UInt8] {
        let s = String(v, radix: 8)
        return Array((String(repeating: "0", count: max(0, digits - s.count)) + s).utf8) + (digits == 11 ? [0] : [])
    }
}
