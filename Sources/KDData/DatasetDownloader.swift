// DatasetDownloader: `kdistill download`: fetches a dataset's published files into a directory,
// resuming `.part` files, checking MD5 before the final (atomic) rename, extracting CIFAR archives safely.

import Foundation
import KDSupport

/// Downloads datasets from their official URLs or a mirror.
public enum DatasetDownloader {
    /// Environment variable naming a base URL that replaces the official one.
    public static let mirrorEnvironmentKey = "KDISTILL_MIRROR"

    /// Makes `name` available under `directory` and returns the directory to load it from.
    /// - mirror: base URL replacing the official one (default: `$KDISTILL_MIRROR`, else official).
    /// - manifest: files to fetch (default: the official list with published MD5s).
    /// - systemDirectory: for fashion-mnist, a preinstalled copy used instead when its content checks out
    ///   (default: Debian's `/usr/share/datasets/fashion-mnist`; nil to always download).
    public static func download(
        _ name: DatasetName, into directory: String, mirror: String? = nil,
        manifest: [RemoteFile]? = nil, progress: ProgressReporter?,
        systemDirectory: String? = DatasetLoader.debianFashionMNIST,
        timeout: TimeInterval = 60
    ) throws -> String {
        if name == .fashionMNIST, let system = systemDirectory, FileIO.isDirectory(system) {
            do {
                try verifyIDXContent(name, directory: system)
                progress?.note("\(name.rawValue): using the installed copy in \(system) (content verified)")
                return system
            } catch {
                progress?.note("\(name.rawValue): ignoring \(system): \(error)")
            }
        }
        let env = ProcessInfo.processInfo.environment[mirrorEnvironmentKey].flatMap { $0.isEmpty ? nil : $0 }
        let base = mirror ?? env ?? name.officialBaseURL
        try DataError.onFiles { try FileIO.makeDirectory(directory) }
        for file in manifest ?? name.officialManifest {
            let target = FileIO.join(directory, file.name)
            if file.isArchive && DatasetLoader.hasFiles(name, directory: directory) {
                progress?.note("\(file.name): already extracted in \(directory)")
                continue
            }
            try fetch(file, base: base, to: target, progress: progress, timeout: timeout)
            if file.isArchive {
                progress?.note("\(file.name): extracting into \(directory)")
                try TarExtractor.extract(archive: target, into: directory)
            }
        }
        return directory
    }

    /// Downloads one file to `target` unless it is already there with the right MD5.
    public static func fetch(
        _ file: RemoteFile, base: String, to target: String, progress: ProgressReporter?,
        timeout: TimeInterval = 60
    ) throws {
        let urlText = file.url(base: base)
        if FileIO.isFile(target), try MD5.hex(file: target) == file.md5 {
            progress?.note("\(file.name): already present, checksum ok")
            return
        }
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else {
            throw DataError(file: urlText, expected: "an http:// or https:// URL", found: "an unusable address")
        }
        let part = target + ".part"
        var attempts = 0
        transfer: while true {
            attempts += 1
            let have = FileIO.size(part) ?? 0
            let fetcher = HTTPFetcher(url: url, partPath: part, resumeFrom: have, label: file.name, progress: progress)
            switch try fetcher.run(timeout: timeout) {
            case .complete:
                break transfer
            case .rangeNotSatisfiable:
                if try MD5.hex(file: part) == file.md5 { break transfer }
                fallthrough
            case .restart:
                unlink(part)
                guard attempts < 2 else {
                    throw DataError(file: urlText, expected: "a server honouring byte ranges", found: "inconsistent answers")
                }
            }
        }
        let digest = try MD5.hex(file: part)
        guard digest == file.md5 else {
            unlink(part)
            throw DataError(file: urlText, expected: "md5 \(file.md5)", found: "md5 \(digest) (corrupted download removed)")
        }
        try DataError.onFiles { try AtomicFile.commit(part, to: target) }
    }

    /// Checks an IDX dataset's files by content: they decompress, headers and sizes are valid, labels are in
    /// range, and both splits have the official image counts.
    public static func verifyIDXContent(_ name: DatasetName, directory: String) throws {
        for split in Split.allCases {
            let ds = try DatasetLoader.load(name, directory: directory, split: split)
            let want = split == .train ? name.officialCounts.train : name.officialCounts.test
            guard ds.count == want else {
                throw DataError(file: ds.source, expected: "\(want) images", found: "\(ds.count)")
            }
        }
    }
}
