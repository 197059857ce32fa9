// Download: `kdistill download DATASET [--dir DIR]`: fetches a dataset's official files (checked
// against their MD5), or links Debian's installed Fashion-MNIST when present. `--checksums FILE`
// (md5sum format) replaces published checksums, for a mirror serving other files (tests, private copies).

import Foundation
import KDData

/// Dataset downloads.
public enum Download {
    /// Downloads `dataset` into `directory` (default `data/<dataset>`); returns the directory holding the files.
    /// `checksums`: an md5sum-format file whose entries replace the published MD5 of the files they name.
    public static func run(dataset: String, directory: String?, mirror: String?, checksums: String? = nil) throws -> String {
        guard let name = DatasetName(rawValue: dataset) else {
            throw RunInputError(
                "download: expected one of \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")), found '\(dataset)'")
        }
        let mirror = mirror ?? ProcessInfo.processInfo.environment[DatasetDownloader.mirrorEnvironmentKey]
        let manifest = try checksums.map { try manifestWith(checksums: $0, for: name) }
        return try DatasetDownloader.download(
            name, into: directory ?? "data/\(name.rawValue)", mirror: mirror,
            manifest: manifest, progress: ProgressBar())
    }

    /// The official file list of `name` with the MD5s listed in the md5sum-format file at `path`
    /// (`<32 hex digits>  <file name>` per line; `#` comments and blank lines ignored).
    static func manifestWith(checksums path: String, for name: DatasetName) throws -> [RemoteFile] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RunInputError(
                "\(path): expected a readable md5sum-format checksum file, found "
                    + (FileManager.default.fileExists(atPath: path) ? "unreadable text" : "no such file"))
        }
        var manifest = name.officialManifest
        for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            let digest = fields.first.map(String.init) ?? ""
            var file = fields.count > 1 ? fields[1].trimmingCharacters(in: .whitespaces) : ""
            if file.hasPrefix("*") { file.removeFirst() }
            guard digest.count == 32, digest.allSatisfy(\.isHexDigit), !file.isEmpty else {
                throw RunInputError("\(path): line \(k + 1): expected '<32 hex digits>  <file name>', found '\(line)'")
            }
            guard let i = manifest.firstIndex(where: { $0.name == file }) else {
                throw RunInputError(
                    "\(path): line \(k + 1): expected one of \(manifest.map(\.name).joined(separator: ", ")), "
                        + "found '\(file)'")
            }
            manifest[i].md5 = digest.lowercased()
        }
        return manifest
    }
}
