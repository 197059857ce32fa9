// CorruptedFiles: one corrupted variant on disk, as `kdistill corrupt --write DIR` lays it out:
// DIR/<corruption>/<severity>/ holding IDX images (idx3 [N, H, W] gray, idx4 [N, C, H, W] colour) and labels.

import Foundation
import KDSupport

/// The files of a variant directory, written and read back.
public enum CorruptedFiles {
    /// The variant's directory under `root`: `root/<corruption>/<severity>`.
    public static func directory(root: String, corruption: Corruption, severity: Int) -> String {
        FileIO.join(FileIO.join(root, corruption.rawValue), String(severity))
    }

    /// The images file's name: `images-idx3-ubyte` for one channel, `images-idx4-ubyte` otherwise.
    public static func imagesName(channels: Int) -> String { channels == 1 ? "images-idx3-ubyte" : "images-idx4-ubyte" }
    /// The labels file's name.
    public static let labelsName = "labels-idx1-ubyte"

    /// Writes `dataset` into `directory` (created with its parents); returns the images and labels paths.
    @discardableResult
    public static func write(_ dataset: ImageDataset, to directory: String) throws -> (images: String, labels: String) {
        try DataError.onFiles { try FileIO.makeDirectory(directory) }
        let images = FileIO.join(directory, imagesName(channels: dataset.channels))
        let labels = FileIO.join(directory, labelsName)
        try IDXWriter.writeImages(dataset, to: images)
        try IDXWriter.writeLabels(dataset, to: labels)
        return (images, labels)
    }

    /// Reads the variant in `directory` (either images file, plain or `.gz`), validated: labels as many
    /// as images and below `numClasses`.
    public static func read(directory: String, numClasses: Int, classNames: [String]? = nil) throws -> ImageDataset {
        let grayPath = try? DatasetLoader.idxFile(directory, imagesName(channels: 1))
        guard let path = grayPath ?? (try? DatasetLoader.idxFile(directory, imagesName(channels: 3))) else {
            throw DataError(
                file: directory, expected: "\(imagesName(channels: 1)) or \(imagesName(channels: 3)) (kdistill corrupt's layout)",
                found: "neither")
        }
        let rank: UInt32 = grayPath == nil ? 4 : 3
        let img = try IDXReader.read(path, magic: 0x0000_0800 | rank)
        let dims = rank == 3 ? [1] + img.dims.dropFirst() : Array(img.dims.dropFirst())  // [C, H, W]
        let labelsPath = try DatasetLoader.idxFile(directory, labelsName)
        let lab = try IDXReader.read(labelsPath, magic: IDXReader.labelsMagic)
        guard lab.dims[0] == img.dims[0] else {
            throw DataError(
                file: labelsPath, expected: "\(img.dims[0]) labels (as many as images in \(path))", found: "\(lab.dims[0])")
        }
        return try ImageDataset(
            pixels: img.data, labels: lab.data.map { Int32($0) }, channels: dims[0], height: dims[1], width: dims[2],
            numClasses: numClasses, classNames: classNames, source: path)
    }
}
