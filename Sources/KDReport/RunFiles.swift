// RunFiles: reading the JSON files of a run directory (config.json, summary.json, metrics.jsonl) for
// the report; KDTrain's RunDirectory, which writes them, reads metrics.jsonl back through it too.

import KDJSON
import KDSupport

/// Readers of a run's JSON files.
public enum RunFiles {
    /// The objects of a JSON-lines file such as metrics.jsonl, in file order; a line that does not
    /// parse is left out, and an absent or unreadable file gives none.
    public static func readJSONLines(_ path: String) -> [JSONValue] {
        guard let text = try? FileIO.readText(path) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
    }

    /// A JSON file, or the reason (one line) it cannot be used.
    static func readJSON(_ path: String) -> Result<JSONValue, ReadFailure> {
        let text: String
        do { text = try FileIO.readText(path) } catch { return .failure(ReadFailure("\(error)")) }
        do { return .success(try JSONValue(parsing: text)) } catch {
            return .failure(ReadFailure("\(path): \(error.description)"))
        }
    }
}

/// Why a run file could not be read (one line).
struct ReadFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
