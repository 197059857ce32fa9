// TarHeader: decoding one 512-byte ustar/GNU/pax tar header, and the path rules that keep an
// extracted entry inside the target directory (no absolute paths, no `..`, no escaping links).

import Foundation

/// The fields of a tar header that extraction uses.
struct TarHeader {
    var name: String
    var size: Int
    var type: UInt8
    var linkName: String

    /// Parses `block` (512 bytes); nil for an all-zero block (end of archive). Errors name `archive`.
    static func parse(_ block: UnsafePointer<UInt8>, archive: String, offset: Int) throws -> TarHeader? {
        var zero = true
        for i in 0..<512 where block[i] != 0 { zero = false; break }
        if zero { return nil }
        var sum = 0
        for i in 0..<512 { sum += (148..<156).contains(i) ? 32 : Int(block[i]) }
        let stored = octal(block + 148, 8)
        guard stored == sum else {
            throw DataError(
                file: archive, expected: "a tar header checksum of \(sum) at byte \(offset)",
                found: stored.map(String.init) ?? "an unreadable checksum field")
        }
        guard let size = number(block + 124, 12), size >= 0 else {
            throw DataError(file: archive, expected: "a numeric size in the tar header at byte \(offset)", found: "garbage")
        }
        var name = string(block, 100)
        let isUstar = string(block + 257, 5) == "ustar"
        if isUstar {
            let prefix = string(block + 345, 155)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        return TarHeader(name: name, size: size, type: block[156], linkName: string(block + 157, 100))
    }

    /// NUL-terminated string in a field of `length` bytes.
    static func string(_ p: UnsafePointer<UInt8>, _ length: Int) -> String {
        var n = 0
        while n < length && p[n] != 0 { n += 1 }
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// An octal field (spaces/NULs allowed around the digits).
    static func octal(_ p: UnsafePointer<UInt8>, _ length: Int) -> Int? {
        var value = 0, digits = 0
        for i in 0..<length {
            let ch = p[i]
            if ch == 0 || ch == 32 { if digits > 0 { break } else { continue } }
            guard ch >= 48 && ch <= 55, value < (Int.max >> 3) else { return nil }
            value = value * 8 + Int(ch - 48)
            digits += 1
        }
        return digits > 0 ? value : 0
    }

    /// A size field: octal, or GNU base-256 when the high bit of the first byte is set.
    static func number(_ p: UnsafePointer<UInt8>, _ length: Int) -> Int? {
        guard p[0] & 0x80 != 0 else { return octal(p, length) }
        guard p[0] & 0x40 == 0 else { return nil }  // negative
        var value = Int(p[0] & 0x3F)
        for i in 1..<length {
            guard value < (Int.max >> 8) else { return nil }
            value = value << 8 | Int(p[i])
        }
        return value
    }

    /// Values of a pax extended header (`<len> key=value\n` records).
    static func paxRecords(_ data: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let record = line[line.index(after: space)...]
            guard let eq = record.firstIndex(of: "=") else { continue }
            out[String(record[..<eq])] = String(record[record.index(after: eq)...])
        }
        return out
    }
}

/// Path rules for extraction.
enum TarPath {
    /// The components of a safe relative entry name (empty for `.`); throws for absolute names or `..`.
    static func safeComponents(_ name: String, archive: String) throws -> [String] {
        guard !name.hasPrefix("/") else {
            throw DataError(file: archive, expected: "relative entry paths", found: "absolute path \(name)")
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.contains("..") else {
            throw DataError(file: archive, expected: "entry paths without '..'", found: name)
        }
        return parts.filter { $0 != "." }
    }

    /// Throws unless a link at `entry` pointing to `target` stays inside the extraction root.
    static func checkLink(entry: [String], target: String, hard: Bool, archive: String) throws {
        let escape = DataError(
            file: archive, expected: "links that stay inside the target directory",
            found: "\(entry.joined(separator: "/")) -> \(target)")
        guard !target.hasPrefix("/") else { throw escape }
        // Symlinks resolve from the link's folder; hard links name a path from the archive root.
        var stack = hard ? [] : Array(entry.dropLast())
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                guard !stack.isEmpty else { throw escape }
                stack.removeLast()
            } else {
                stack.append(String(part))
            }
        }
    }
}
