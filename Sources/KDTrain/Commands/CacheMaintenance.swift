// CacheMaintenance: `kdistill cache list` and `kdistill cache clear`: the teacher store's entries, one
// line each, and their removal (entries a running process reads are kept and named).

import Foundation

/// The teacher cache as the command line sees it.
public enum CacheMaintenance {
    /// The store in `directory`, or the one the environment configures (an error when it is `off`).
    static func store(_ directory: String?) throws -> TeacherStore {
        if let directory {
            return TeacherStore(
                directory: directory, limit: try TeacherStore.fromEnvironment()?.limit ?? TeacherStore.defaultLimit)
        }
        guard let store = try TeacherStore.fromEnvironment() else {
            throw RunInputError("cache: KDISTILL_CACHE is off (no teacher cache); pass --dir DIR to look at one")
        }
        return store
    }

    /// One line per entry, most recently used first, then a total line.
    public static func list(directory: String?) throws -> [String] {
        let store = try store(directory)
        let entries = store.entries()
        let total = entries.reduce(Int64(0)) { $0 + $1.bytes }
        let damaged = store.storedIDs().count - entries.count
        return entries.map(\.line) + [
            "\(entries.count) \(entries.count == 1 ? "entry" : "entries"), \(TeacherStoreEntry.size(total)) of "
                + "\(TeacherStoreEntry.size(store.limit)) in \(store.directory)"
                + (damaged > 0 ? " (\(damaged) damaged, rebuilt on next use or removed by clear --all)" : "")
        ]
    }

    /// Removes every entry (`prefix` nil) or those whose id starts with `prefix`; one line saying what was done.
    public static func clear(directory: String?, prefix: String?) throws -> String {
        let store = try store(directory)
        let (removed, kept) = try store.clear(prefix: prefix)
        var line = "removed \(removed.count) \(removed.count == 1 ? "entry" : "entries") from \(store.directory)"
        if !kept.isEmpty {
            line += "; kept \(kept.map { String($0.prefix(12)) }.joined(separator: ", ")) (in use by a running process)"
        }
        return line
    }
}
