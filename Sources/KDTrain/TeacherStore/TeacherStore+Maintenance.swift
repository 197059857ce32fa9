// TeacherStore+Maintenance: listing entries, least-recently-used eviction under the size limit,
// removing entries on request (`kdistill cache clear`) and the temporary files of crashed builders.

import Foundation
import KDNN
import KDSupport

extension TeacherStore {
    /// Every entry with a data file, most recently used first. An entry whose manifest is missing or
    /// unreadable is described from its data file's header; a file with no readable header is left out.
    public func entries() -> [TeacherStoreEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var found: [TeacherStoreEntry] = []
        for name in names where name.hasSuffix(".safetensors") && !name.hasPrefix(".") {
            let id = String(name.dropLast(".safetensors".count))
            let size = FileIO.size(dataPath(id)) ?? 0
            if var entry = TeacherStoreEntry.read(manifestPath(id)), entry.id == id {
                entry.bytes = size
                found.append(entry)
            } else if let entry = describe(id, bytes: size) {
                found.append(entry)
            }
        }
        return found.sorted { ($0.lastUsed, $0.id) > ($1.lastUsed, $1.id) }
    }

    /// An entry described from its data file's metadata (its manifest is lost), last used at its mtime.
    private func describe(_ id: String, bytes: Int64) -> TeacherStoreEntry? {
        guard let file = try? MappedFile(path: dataPath(id)),
            let layout = try? SafetensorsLayout.parse(file.bytes, source: dataPath(id)),
            let text = layout.metadata["key"], let json = try? JSONValue(parsing: text), let key = TeacherCacheKey(json: json),
            key.id == id
        else { return nil }
        let modified = (try? FileManager.default.attributesOfItem(atPath: dataPath(id))[.modificationDate] as? Date)
        let time = modified?.timeIntervalSince1970 ?? 0
        return TeacherStoreEntry(
            key: key, teacherPath: layout.metadata["teacher_path"] ?? "?", bytes: bytes,
            created: layout.metadata["created"].flatMap(Double.init) ?? time, lastUsed: time)
    }

    /// Evicts least recently used entries (never `keeping`, never one in use or being built) until
    /// `incoming` more bytes fit under the limit; false when they cannot.
    func evict(toFit incoming: Int64, keeping: String) -> Bool {
        let all = entries()
        var total = all.reduce(Int64(0)) { $0 + $1.bytes }
        for entry in all.reversed() where entry.id != keeping {
            if total + incoming <= limit { break }
            if remove(entry.id) {
                total -= entry.bytes
                ProgressDisplay.log(
                    "teacher cache: evicted entry \(entry.id.prefix(12)) (\(TeacherStoreEntry.size(entry.bytes)), "
                        + "least recently used) to stay under \(TeacherStoreEntry.size(limit))")
            }
        }
        return total + incoming <= limit
    }

    /// Removes entry `id` unless a run holds it (reading or building); returns whether it is gone.
    @discardableResult
    func remove(_ id: String) -> Bool {
        guard let build = try? FileLock.attempt(buildLockPath(id), .exclusive) else { return false }
        guard let use = try? FileLock.attempt(useLockPath(id), .exclusive) else { return false }
        unlink(dataPath(id))
        unlink(manifestPath(id))
        use.removeAndUnlock()
        build.removeAndUnlock()
        return true
    }

    /// Deletes temporary files of builders that died (`.<name>.tmp-<pid>-<n>` whose process is gone).
    func removeStaleTemporaries() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix(".") {
            guard let range = name.range(of: ".tmp-"),
                let pid = name[range.upperBound...].split(separator: "-").first.flatMap({ Int32($0) }),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            unlink(FileIO.join(directory, name))
        }
    }

    /// Removes lock files that belong to no entry and that nobody holds.
    func removeOrphanLocks() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names {
            for suffix in [".build.lock", ".use.lock"] where name.hasSuffix(suffix) {
                let id = String(name.dropLast(suffix.count))
                guard !FileIO.isFile(dataPath(id)), let lock = try? FileLock.attempt(path(id, suffix), .exclusive) else {
                    continue
                }
                if !FileIO.isFile(dataPath(id)) { lock.removeAndUnlock() }
            }
        }
    }

    /// Ids of every data file in the directory, readable or not.
    func storedIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") && !$0.hasPrefix(".") }.map {
            String($0.dropLast(".safetensors".count))
        }
        .sorted()
    }

    /// `kdistill cache clear`: removes every entry (`prefix` nil) or those whose id starts with `prefix`,
    /// damaged ones included; entries in use are kept. Returns the ids removed and kept. Throws when
    /// `prefix` matches none.
    public func clear(prefix: String?) throws -> (removed: [String], inUse: [String]) {
        let ids = storedIDs()
        let chosen = prefix.map { p in ids.filter { $0.hasPrefix(p.lowercased()) } } ?? ids
        if let prefix, chosen.isEmpty {
            throw RunInputError("cache clear: no entry of \(directory) starts with '\(prefix)' (see kdistill cache list)")
        }
        var removed: [String] = [], kept: [String] = []
        for id in chosen {
            if remove(id) { removed.append(id) } else { kept.append(id) }
        }
        removeStaleTemporaries()
        if prefix == nil { removeOrphanLocks() }
        return (removed, kept)
    }
}
