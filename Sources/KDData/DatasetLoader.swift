// DatasetLoader: finds a dataset's files under a directory (as published, plain or `.gz` IDX,
// CIFAR with or without its top folder) and reads one split, validated.

import Foundation
import KDSupport

/// Entry point for reading a dataset split from disk.
public enum DatasetLoader {
    /// Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST.
    public static let debianFashionMNIST = "/usr/share/datasets/fashion-mnist"

    /// Reads `split` of `name` from `directory`; every file is validated.
    public static func load(
        _ name: DatasetName, directory: String, split: Split,
        cifar100Labels: CIFAR100Labels = .fine
    ) throws -> ImageDataset {
        guard FileIO.isDirectory(directory) else {
            let found = FileManager.default.fileExists(atPath: directory) ? "a file" : "no such directory"
            throw DataError(file: directory, expected: "a directory holding \(name.rawValue) files", found: found)
        }
        switch name {
        case .mnist, .fashionMNIST:
            let prefix = split == .train ? "train" : "t10k"
            let images = try idxFile(directory, "\(prefix)-images-idx3-ubyte")
            let labels = try idxFile(directory, "\(prefix)-labels-idx1-ubyte")
            return try IDXReader.loadPair(
                images: images, labels: labels, height: 28, width: 28,
                numClasses: 10, classNames: name.defaultClassNames)
        case .cifar10:
            let base = cifarBase(directory, folder: "cifar-10-batches-bin", probe: "test_batch.bin")
            let names = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
            let classNames = try namesFile(FileIO.join(base, "batches.meta.txt"), fallback: ClassNames.cifar10)
            return try CIFARReader.loadCIFAR10(files: try existing(base, names), classNames: classNames)
        case .cifar100:
            let base = cifarBase(directory, folder: "cifar-100-binary", probe: "test.bin")
            let names = [split == .train ? "train.bin" : "test.bin"]
            let classNames =
                cifar100Labels == .fine
                ? try namesFile(FileIO.join(base, "fine_label_names.txt"), fallback: ClassNames.cifar100Fine)
                : try namesFile(FileIO.join(base, "coarse_label_names.txt"), fallback: ClassNames.cifar100Coarse)
            return try CIFARReader.loadCIFAR100(
                files: try existing(base, names), labels: cifar100Labels,
                classNames: classNames)
        }
    }

    /// `requested`, or Debian's Fashion-MNIST directory when `name` is fashion-mnist and only that has the files.
    public static func resolveDirectory(_ name: DatasetName, requested: String) -> String {
        resolveDirectory(name, requested: requested, systemDirectory: debianFashionMNIST)
    }

    /// As `resolveDirectory(_:requested:)` with the system location given explicitly.
    public static func resolveDirectory(_ name: DatasetName, requested: String, systemDirectory: String) -> String {
        guard name == .fashionMNIST, !hasFiles(name, directory: requested),
            hasFiles(name, directory: systemDirectory)
        else { return requested }
        return systemDirectory
    }

    /// True when `directory` seems to hold `name` (its training files exist; contents are not checked).
    public static func hasFiles(_ name: DatasetName, directory: String) -> Bool {
        guard FileIO.isDirectory(directory) else { return false }
        switch name {
        case .mnist, .fashionMNIST:
            return [
                "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte",
            ].allSatisfy { (try? idxFile(directory, $0)) != nil }
        case .cifar10:
            let base = cifarBase(directory, folder: "cifar-10-batches-bin", probe: "test_batch.bin")
            return FileIO.isFile(FileIO.join(base, "test_batch.bin")) && FileIO.isFile(FileIO.join(base, "data_batch_5.bin"))
        case .cifar100:
            let base = cifarBase(directory, folder: "cifar-100-binary", probe: "test.bin")
            return FileIO.isFile(FileIO.join(base, "test.bin")) && FileIO.isFile(FileIO.join(base, "train.bin"))
        }
    }

    /// `dir/name` or `dir/name.gz`, whichever exists (plain preferred).
    static func idxFile(_ dir: String, _ name: String) throws -> String {
        let plain = FileIO.join(dir, name)
        if FileIO.isFile(plain) { return plain }
        if FileIO.isFile(plain + ".gz") { return plain + ".gz" }
        throw DataError(file: plain, expected: "the file or \(name).gz", found: "neither exists")
    }

    /// The published folder inside `dir` when present, else `dir` itself if it holds `probe`.
    static func cifarBase(_ dir: String, folder: String, probe: String) -> String {
        let nested = FileIO.join(dir, folder)
        if FileIO.isDirectory(nested) || !FileIO.isFile(FileIO.join(dir, probe)) { return nested }
        return dir
    }

    static func existing(_ base: String, _ names: [String]) throws -> [String] {
        guard FileIO.isDirectory(base) else {
            throw DataError(file: base, expected: "a directory holding the dataset's .bin files", found: "no such directory")
        }
        return try names.map { n in
            let p = FileIO.join(base, n)
            guard FileIO.isFile(p) else { throw DataError(file: p, expected: "an existing file", found: "no such file") }
            return p
        }
    }

    /// Class names from a one-per-line file, or `fallback` when the file is absent.
    static func namesFile(_ path: String, fallback: [String]) throws -> [String] {
        guard FileIO.isFile(path) else { return fallback }
        let lines = try DataError.onFiles { try FileIO.readLines(path) }
        guard lines.count == fallback.count else {
            throw DataError(file: path, expected: "\(fallback.count) class names, one per line", found: "\(lines.count)")
        }
        return lines
    }
}
