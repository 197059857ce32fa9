// ContentHash: XXH64 (Collet, xxHash), a fast non-cryptographic 64-bit hash, streamed, and a 128-bit
// content digest made of two XXH64 lanes with different seeds: the identity of files and buffers.

import Foundation

/// Incremental XXH64 with a seed: `update` any number of times, then `digest`.
public struct XXH64 {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9, p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private let seed: UInt64
    private var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64
    private var length: UInt64 = 0
    /// Bytes not yet forming a whole 32-byte stripe (fewer than 32).
    private var pending: [UInt8] = []

    /// A fresh hash with `seed`.
    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ Self.p1 &+ Self.p2
        v2 = seed &+ Self.p2
        v3 = seed
        v4 = seed &- Self.p1
    }

    /// XXH64 of `bytes` with `seed`.
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        var h = XXH64(seed: seed)
        bytes.withUnsafeBytes { h.update($0) }
        return h.digest()
    }

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) static func load64(_ p: UnsafeRawPointer) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
    }

    /// Feeds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var n = bytes.count
        length &+= UInt64(n)
        if !pending.isEmpty {
            let take = min(n, 32 - pending.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: p, count: take))
            p += take
            n -= take
            guard pending.count == 32 else { return }
            let stripe = pending
            stripe.withUnsafeBytes { consume($0.baseAddress!, stripes: 1) }
            pending.removeAll(keepingCapacity: true)
        }
        let whole = n / 32
        if whole > 0 { consume(p, stripes: whole) }
        pending.append(contentsOf: UnsafeRawBufferPointer(start: p + whole * 32, count: n - whole * 32))
    }

    private mutating func consume(_ p: UnsafeRawPointer, stripes: Int) {
        var (a, b, c, d) = (v1, v2, v3, v4)
        var q = p
        for _ in 0..<stripes {
            a = Self.round(a, Self.load64(q))
            b = Self.round(b, Self.load64(q + 8))
            c = Self.round(c, Self.load64(q + 16))
            d = Self.round(d, Self.load64(q + 24))
            q += 32
        }
        (v1, v2, v3, v4) = (a, b, c, d)
    }

    /// The hash of everything fed so far.
    public func digest() -> UInt64 {
        var h: UInt64
        if length >= 32 {
            h = Self.rotl(v1, 1) &+ Self.rotl(v2, 7) &+ Self.rotl(v3, 12) &+ Self.rotl(v4, 18)
            for v in [v1, v2, v3, v4] { h = (h ^ Self.round(0, v)) &* Self.p1 &+ Self.p4 }
        } else {
            h = seed &+ Self.p5
        }
        h &+= length
        pending.withUnsafeBytes { buf in
            var i = 0
            let base = buf.baseAddress
            while i + 8 <= buf.count, let base {
                h = Self.rotl(h ^ Self.round(0, Self.load64(base + i)), 27) &* Self.p1 &+ Self.p4
                i += 8
            }
            if i + 4 <= buf.count, let base {
                let k = UInt64(UInt32(littleEndian: (base + i).loadUnaligned(as: UInt32.self)))
                h = Self.rotl(h ^ (k &* Self.p1), 23) &* Self.p2 &+ Self.p3
                i += 4
            }
            while i < buf.count {
                h = Self.rotl(h ^ (UInt64(buf[i]) &* Self.p5), 11) &* Self.p1
                i += 1
            }
        }
        h ^= h >> 33
        h = h &* Self.p2
        h ^= h >> 29
        h = h &* Self.p3
        return h ^ (h >> 32)
    }
}

/// A 128-bit content digest: XXH64 with seed 0 and XXH64 with a second seed over the same bytes.
/// Not cryptographic: it names content (cache keys), it does not defend against a forger.
public struct ContentHash {
    private var low = XXH64(seed: 0)
    private var high = XXH64(seed: 0x9E37_79B9_7F4A_7C15)

    /// A fresh digest.
    public init() {}

    /// Feeds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        // Both lanes walk the same 1 MB slice while it is in cache.
        var start = 0
        while start < bytes.count {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<min(bytes.count, start + (1 << 20))])
            low.update(slice)
            high.update(slice)
            start += slice.count
        }
    }

    /// Feeds the UTF-8 of `text` followed by a 0 byte (so consecutive fields cannot run together).
    public mutating func update(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.append(0)
        bytes.withUnsafeBytes { update($0) }
    }

    /// 32 lowercase hex digits.
    public var hex: String { String(format: "%016llx%016llx", low.digest(), high.digest()) }

    /// The digest of the regular file at `path`, read in 4 MB chunks.
    public static func file(_ path: String) throws -> String {
        guard let f = fopen(path, "rb") else {
            throw FileError(path, "file", expected: "a readable file", found: FileError.lastSystemError())
        }
        defer { fclose(f) }
        var hash = ContentHash()
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
            if n < buffer.count {
                guard ferror(f) == 0 else {
                    throw FileError(path, "read", expected: "the whole file", found: FileError.lastSystemError())
                }
                break
            }
        }
        return hash.hex
    }
}
