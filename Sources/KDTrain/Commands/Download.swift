// Download: `kdistill download DATASET [--dir DIR]`: fetches a dataset's official files (checked
// against their MD5), or links Debian's installed Fashion-MNIST when present.
import Foundation
import KDData

/// Dataset downloads.
public enum Download {
    /// Downloads `dataset` into `directory` (default `data/<dataset>`); returns the directory holding the files.
    public static func run(dataset: String, directory: String?, mirror: String?) throws -> String {
        guard let name = DatasetName(rawValue: dataset) else {
            throw RunInputError("download: expected one of \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")), found '\(dataset)'")
        }
        let mirror = mirror ?? ProcessInfo.processInfo.environment[DatasetDownloader.mirrorEnvironmentKey]
        return try DatasetDownloader.download(name, into: directory ?? "data/\(name.rawValue)", mirror: mirror, progress: ProgressBar())
    }
}
