// TeacherStoreEntry: one teacher-store entry as its small JSON manifest describes it (`<id>.json` next
// to `<id>.safetensors`): the key, the teacher path it was built from, its size and its use times.

import Foundation
import KDSupport

/// The manifest of one entry: what `kdistill cache list` shows and what eviction sorts by.
public struct TeacherStoreEntry {
    /// 32 hex digits: the key's hash, the name of the entry's files.
    public let id: String
    public let key: TeacherCacheKey
    /// The teacher checkpoint path of the run that built the entry.
    public let teacherPath: String
    /// Bytes of the data file.
    public var bytes: Int64
    /// Unix times of creation and of the last run that used the entry.
    public var created: Double, lastUsed: Double

    /// Manifest JSON.
    var json: JSONValue {
        [
            "id": .string(id), "key": key.json, "teacher_path": .string(teacherPath), "bytes": .int(Int(bytes)),
            "created": .number(created), "last_used": .number(lastUsed),
        ]
    }

    init(key: TeacherCacheKey, teacherPath: String, bytes: Int64, created: Double, lastUsed: Double) {
        (id, self.key, self.teacherPath, self.bytes, self.created, self.lastUsed) =
            (key.id, key, teacherPath, bytes, created, lastUsed)
    }

    /// The manifest at `path`, or nil when it is missing, unreadable or not a manifest.
    static func read(_ path: String) -> TeacherStoreEntry? {
        guard let text = try? FileIO.readText(path), let json = try? JSONValue(parsing: text),
            let keyJSON = json["key"], let key = TeacherCacheKey(json: keyJSON), json["id"]?.stringValue == key.id,
            let teacher = json["teacher_path"]?.stringValue, let bytes = json["bytes"]?.intValue,
            let created = json["created"]?.doubleValue, let used = json["last_used"]?.doubleValue
        else { return nil }
        return TeacherStoreEntry(key: key, teacherPath: teacher, bytes: Int64(bytes), created: created, lastUsed: used)
    }

    /// Writes the manifest to `path` atomically.
    func write(_ path: String) throws { try AtomicFile.write(json.formatted() + "\n", to: path) }

    /// `3f9a1c2e7b4d  lenet5 1x28x28 10 classes  from runs/t/best.safetensors  fashion-mnist/train N=1000
    /// logits+layer2  12.3 MiB  last used 2025-01-02 10:11`: one line of `kdistill cache list`.
    public var line: String {
        let taps = (["logits"] + key.taps).joined(separator: "+")
        let used = Self.dateFormatter.string(from: Date(timeIntervalSince1970: lastUsed))
        return "\(id.prefix(12))  \(key.model)  from \(teacherPath)  \(key.dataset)/\(key.split) N=\(key.count)  \(taps)  "
            + "\(Self.size(bytes))  last used \(used)"
    }

    /// `12.3 MiB`, `1.50 GiB` (powers of 1024, as KDISTILL_CACHE_LIMIT).
    static func size(_ bytes: Int64) -> String {
        bytes >= 1 << 30
            ? String(format: "%.2f GiB", Double(bytes) / 0x1p30) : String(format: "%.1f MiB", Double(bytes) / 0x1p20)
    }

    private static let dateFormatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f
    }()
}
