// MD5: the RFC 1321 message digest (Rivest, 1992), used only to check downloads against the
// published checksums. Streaming, so a file is hashed chunk by chunk without loading it whole.

import Foundation

/// Incremental MD5. `update` any number of times, then `finalize`.
public struct MD5 {
    private var a0: UInt32 = 0x6745_2301
    private var b0: UInt32 = 0xEFCD_AB89
    private var c0: UInt32 = 0x98BA_DCFE
    private var d0: UInt32 = 0x1032_5476
    private var buffer = [UInt8](repeating: 0, count: 64)
    private var buffered = 0
    private var length: UInt64 = 0

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]
    private static let table: [UInt32] = (0..<64).map {
        UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296))
    }

    /// A fresh digest.
    public init() {}

    /// Feeds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var n = bytes.count
        length &+= UInt64(n)
        if buffered > 0 {
            let take = Swift.min(n, 64 - buffered)
            for k in 0..<take { buffer[buffered + k] = p[k] }
            buffered += take; p += take; n -= take
            if buffered == 64 {
                let full = buffer
                full.withUnsafeBufferPointer { compress(UnsafeRawPointer($0.baseAddress!), blocks: 1) }
                buffered = 0
            }
        }
        if n >= 64 {
            compress(UnsafeRawPointer(p), blocks: n / 64)
            p += n / 64 * 64; n %= 64
        }
        for k in 0..<n { buffer[k] = p[k] }
        buffered += n
    }

    /// Feeds the bytes of `data`.
    public mutating func update<D: ContiguousBytes>(_ data: D) {
        data.withUnsafeBytes { update($0) }
    }

    /// The 16-byte digest (the state is left as it was).
    public func finalize() -> [UInt8] {
        var copy = self
        let bits = length &* 8
        var tail: [UInt8] = [0x80]
        let padTo = (buffered + 1) % 64 <= 56 ? 56 - (buffered + 1) % 64 : 120 - (buffered + 1) % 64
        tail += [UInt8](repeating: 0, count: padTo)
        for k in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
        copy.update(tail)
        var out: [UInt8] = []
        for w in [copy.a0, copy.b0, copy.c0, copy.d0] {
            for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(k)))) }
        }
        return out
    }

    /// The digest as 32 lowercase hex digits.
    public func hexDigest() -> String { finalize().map { String(format: "%02x", $0) }.joined() }

    /// MD5 of `data` in hex.
    public static func hex<D: ContiguousBytes>(_ data: D) -> String {
        var m = MD5()
        m.update(data)
        return m.hexDigest()
    }

    /// MD5 of the file at `path` in hex, read in 1 MiB chunks.
    public static func hex(file path: String) throws -> String {
        guard let f = fopen(path, "rb") else {
            throw DataError(file: path, expected: "a readable file", found: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        var m = MD5()
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = fread(chunk, 1, 1 << 20, f)
            if n == 0 { break }
            m.update(UnsafeRawBufferPointer(start: chunk, count: n))
        }
        guard ferror(f) == 0 else {
            throw DataError(file: path, expected: "a readable file", found: "a read error")
        }
        return m.hexDigest()
    }

    /// Runs the 64-step round function over `blocks` consecutive 64-byte blocks.
    private mutating func compress(_ start: UnsafeRawPointer, blocks: Int) {
        var (a0, b0, c0, d0) = (self.a0, self.b0, self.c0, self.d0)
        Self.table.withUnsafeBufferPointer { table in
            Self.shifts.withUnsafeBufferPointer { shifts in
                for blk in 0..<blocks {
                    let block = start + 64 * blk
                    var a = a0, b = b0, c = c0, d = d0
                    for i in 0..<64 {
                        var f: UInt32
                        let g: Int
                        switch i >> 4 {
                        case 0: f = (b & c) | (~b & d); g = i
                        case 1: f = (d & b) | (~d & c); g = (5 * i + 1) & 15
                        case 2: f = b ^ c ^ d; g = (3 * i + 5) & 15
                        default: f = c ^ (b | ~d); g = (7 * i) & 15
                        }
                        f =
                            f &+ a &+ table[i]
                            &+ UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * g, as: UInt32.self))
                        a = d; d = c; c = b
                        let s = shifts[i]
                        b = b &+ ((f << s) | (f >> (32 - s)))
                    }
                    a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
                }
            }
        }
        (self.a0, self.b0, self.c0, self.d0) = (a0, b0, c0, d0)
    }
}
