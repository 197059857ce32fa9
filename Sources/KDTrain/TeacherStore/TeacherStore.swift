// TeacherStore: the persistent teacher cache shared by runs and processes: one safetensors file per
// key, memory-mapped on reuse; a per-key lock so one process builds while the others wait, then read.

import Foundation
import KDNN
import KDSupport
import KDTensor

/// A directory of cached teacher outputs (`$KDISTILL_CACHE`, default `~/.cache/kdistill/teachers`).
/// Per entry `<id>`: `<id>.safetensors` (logits `[N, K]`, taps `tap.<name>` `[N, ...]`, the key in its
/// metadata), `<id>.json` (manifest), `<id>.build.lock` (held exclusively while building or checking),
/// `<id>.use.lock` (held shared by every run reading the entry; eviction needs it exclusively).
/// Files appear by atomic rename and leave by unlink, never truncated in place, so a mapping stays valid.
public final class TeacherStore {
    /// Size limit when `KDISTILL_CACHE_LIMIT` is not set: 4 GiB.
    public static let defaultLimit: Int64 = 4 << 30

    public let directory: String
    /// Most bytes the entries may take together; least recently used entries not in use go first.
    public let limit: Int64

    public init(directory: String, limit: Int64 = TeacherStore.defaultLimit) {
        self.directory = directory
        self.limit = limit
    }

    /// The store `environment` configures: `KDISTILL_CACHE` (a directory, or `off` for none; default
    /// `$XDG_CACHE_HOME/kdistill/teachers` or `~/.cache/kdistill/teachers`) and `KDISTILL_CACHE_LIMIT`
    /// (`4G`, `500M`, `0`: bytes with an optional K, M, G or T suffix, powers of 1024).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> TeacherStore?
    {
        var limit = defaultLimit
        if let text = environment["KDISTILL_CACHE_LIMIT"] {
            guard let parsed = parseSize(text) else {
                throw RunInputError("KDISTILL_CACHE_LIMIT: expected a size such as 4G, 500M or 0, found '\(text)'")
            }
            limit = parsed
        }
        let dir = environment["KDISTILL_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
        if dir == "off" { return nil }
        return TeacherStore(directory: dir ?? defaultDirectory(environment), limit: limit)
    }

    /// `$XDG_CACHE_HOME/kdistill/teachers` when that is an absolute path, else `~/.cache/kdistill/teachers`.
    public static func defaultDirectory(_ environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return FileIO.join(xdg, "kdistill/teachers") }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return FileIO.join(home, ".cache/kdistill/teachers")
    }

    /// `4G` → 4·2³⁰, `512M`, `100K`, `1.5G`, `12345`; nil for anything else.
    static func parseSize(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [Character: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40]
        var number = Substring(t), scale = 1.0
        if let last = t.last, let unit = units[last] {
            number = t.dropLast()
            scale = unit
        }
        if number.hasSuffix("B") && scale > 1 { return nil }
        guard let value = Double(number), value >= 0, value.isFinite, value * scale < 9e18 else { return nil }
        return Int64(value * scale)
    }

    func path(_ id: String, _ suffix: String) -> String { FileIO.join(directory, id + suffix) }
    func dataPath(_ id: String) -> String { path(id, ".safetensors") }
    func manifestPath(_ id: String) -> String { path(id, ".json") }
    func buildLockPath(_ id: String) -> String { path(id, ".build.lock") }
    func useLockPath(_ id: String) -> String { path(id, ".use.lock") }

    /// How `outputs` got the values.
    public enum Source: Equatable {
        /// This process computed them and stored entry `id`.
        case built(id: String)
        /// Read from entry `id` (built earlier or by another process; a superset of the taps asked for).
        case reused(id: String)
        /// This process computed them but did not store them, for `reason`.
        case notStored(reason: String)
    }

    /// The cached outputs for `key`: read from a stored entry that serves it (memory-mapped) or, when none,
    /// computed by `build` (nil: not cacheable) and stored. Runs asking for the same key at once wait for
    /// the first to build, then read. A damaged entry is reported and rebuilt.
    func outputs(
        for key: TeacherCacheKey, teacherPath: String, build: () -> TeacherCache?
    ) throws -> (cache: TeacherCache, source: Source)? {
        try FileIO.makeDirectory(directory)
        for other in servingEntries(for: key) {
            if let cache = try? open(other, serving: key) { return (cache, .reused(id: other.id)) }
        }
        let id = key.id
        let buildLock: FileLock
        if let got = try FileLock.attempt(buildLockPath(id), .exclusive) {
            buildLock = got
        } else {
            ProgressDisplay.log("teacher cache: waiting for another run building entry \(id.prefix(12))")
            buildLock = try FileLock.acquire(buildLockPath(id), .exclusive)
        }
        defer { buildLock.unlock() }
        if FileIO.isFile(dataPath(id)) {
            do {
                return (try open(key, serving: key), .reused(id: id))
            } catch {
                ProgressDisplay.log(
                    "kdistill: warning: teacher cache entry \(id.prefix(12)) is damaged (\(error)); rebuilding it")
            }
        }
        removeStaleTemporaries()
        guard let cache = build(), let computed = cache.computed else { return nil }
        let estimate = Int64(cache.bytes) + 4096  // the header: key, names, shapes
        guard estimate <= limit else {
            return (
                cache,
                .notStored(
                    reason: "it needs \(TeacherStoreEntry.size(estimate)), over the limit of \(TeacherStoreEntry.size(limit))")
            )
        }
        guard evict(toFit: estimate, keeping: id) else {
            return (
                cache, .notStored(reason: "the other entries are in use and leave less than \(TeacherStoreEntry.size(estimate))")
            )
        }
        let now = Date().timeIntervalSince1970
        let teacherPath = URL(fileURLWithPath: teacherPath).standardizedFileURL.path  // `cache list` shows where from
        var file = SafetensorsFile(
            tensors: [("logits", computed.logits)] + computed.taps.keys.sorted().map { ("tap." + $0, computed.taps[$0]!) },
            metadata: ["format": "kdistill.teacher-cache.v1", "key": key.json.formatted(.compact), "teacher_path": teacherPath])
        file.metadata["created"] = String(now)
        try file.write(to: dataPath(id))
        let entry = TeacherStoreEntry(
            key: key, teacherPath: teacherPath, bytes: FileIO.size(dataPath(id)) ?? estimate, created: now, lastUsed: now)
        try entry.write(manifestPath(id))
        cache.retain(try FileLock.acquire(useLockPath(id), .shared))
        return (cache, .built(id: id))
    }

    /// Stored entries other than `key`'s own that hold every tap it asks for, most recently used first.
    func servingEntries(for key: TeacherCacheKey) -> [TeacherStoreEntry] {
        entries().filter { $0.id != key.id && key.isServed(by: $0.key) }
    }

    /// The entry of `stored` mapped, checked against it and `key`, held in use (shared lock) while the
    /// returned cache lives; its last-used time is updated. Throws what is wrong with a damaged entry.
    func open(_ stored: TeacherStoreEntry, serving key: TeacherCacheKey) throws -> TeacherCache {
        try open(stored.key, serving: key)
    }

    func open(_ stored: TeacherCacheKey, serving key: TeacherCacheKey) throws -> TeacherCache {
        let id = stored.id, path = dataPath(id)
        let lock = try FileLock.acquire(useLockPath(id), .shared)
        let file = try MappedFile(path: path)
        let layout = try SafetensorsLayout.parse(file.bytes, source: path)
        guard let text = layout.metadata["key"], let json = try? JSONValue(parsing: text), TeacherCacheKey(json: json) == stored
        else { throw RunInputError("\(path): its metadata names another key") }
        func rows(_ name: String) throws -> TeacherCache.Rows {
            guard let e = layout.entry(named: name) else { throw RunInputError("\(path): no tensor \(name)") }
            guard e.dtype == .F32, e.shape.first == key.count, let base = file.bytes.baseAddress,
                Int(bitPattern: base + e.bytes.lowerBound) % MemoryLayout<Float>.alignment == 0
            else { throw RunInputError("\(path): \(name) is not aligned F32 [\(key.count), ...], found \(e.dtype) \(e.shape)") }
            return TeacherCache.Rows(shape: e.shape, base: (base + e.bytes.lowerBound).assumingMemoryBound(to: Float.self))
        }
        var taps: [String: TeacherCache.Rows] = [:]
        for name in key.taps { taps[name] = try rows("tap." + name) }
        let cache = TeacherCache(logits: try rows("logits"), taps: taps, owner: file)
        cache.retain(lock)
        touch(stored, layout: layout, bytes: Int64(file.bytes.count))
        return cache
    }

    /// Sets the entry's last-used time to now (rewriting a missing manifest from the file's metadata).
    private func touch(_ key: TeacherCacheKey, layout: SafetensorsLayout, bytes: Int64) {
        var entry =
            TeacherStoreEntry.read(manifestPath(key.id))
            ?? TeacherStoreEntry(
                key: key, teacherPath: layout.metadata["teacher_path"] ?? "?", bytes: bytes,
                created: layout.metadata["created"].flatMap(Double.init) ?? 0, lastUsed: 0)
        entry.lastUsed = Date().timeIntervalSince1970
        try? entry.write(manifestPath(key.id))
    }
}
