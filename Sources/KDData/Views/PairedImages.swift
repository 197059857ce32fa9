// PairedImages: `data.student_data` (beyond.md §5.1): a second set of image files holding, sample for
// sample, another view of data's images (depth beside RGB, a spectrogram beside an image), as IDX images
// (idx3 gray or idx4 [N, C, H, W]) or CIFAR-format records of any shape; counts and labels must agree.

import Foundation
import KDSupport

/// Where the paired files are and how they are laid out.
public struct PairedSource: Equatable, Sendable {
    /// The two layouts.
    public enum Format: String, CaseIterable, Sendable {
        /// IDX images (magic 0x0803 gray `[N, H, W]` or 0x0804 `[N, C, H, W]`), labels in an optional IDX1 file.
        case idx
        /// Fixed-size records: one label byte, then `C·H·W` pixel bytes in `[C, H, W]` order (CIFAR-10's layout).
        case cifar
    }

    public var format: Format
    /// The directory the file names are relative to (absolute names are used as they are).
    public var dir: String
    /// The images (and for cifar the labels) of each split.
    public var train: String, test: String
    /// IDX label files of each split (idx only; nil: the images carry data's labels, unchecked).
    public var trainLabels: String?, testLabels: String?
    /// `[C, H, W]` of a cifar record (default 3x32x32); for idx, checked against the file when given.
    public var shape: [Int]?

    public init(
        format: Format, dir: String, train: String, test: String, trainLabels: String? = nil, testLabels: String? = nil,
        shape: [Int]? = nil
    ) {
        (self.format, self.dir, self.train, self.test) = (format, dir, train, test)
        (self.trainLabels, self.testLabels, self.shape) = (trainLabels, testLabels, shape)
    }

    /// The images file of `split`, joined to `dir`.
    public func imagesPath(_ split: Split) -> String { path(split == .train ? train : test) }

    /// The label file of `split`, if any.
    public func labelsPath(_ split: Split) -> String? { (split == .train ? trainLabels : testLabels).map(path) }

    private func path(_ name: String) -> String { name.hasPrefix("/") ? name : FileIO.join(dir, name) }
}

/// Reading paired files against data's own.
public enum PairedImages {
    /// The paired images of `split`, in file order, with `main`'s labels and class names: `main` is data's whole
    /// split file as read. A count that differs, or labels (where the files have them) that differ, is a
    /// DataError naming both files.
    public static func load(_ source: PairedSource, split: Split, matching main: ImageDataset) throws -> ImageDataset {
        let path = source.imagesPath(split)
        let (pixels, shape, labels) = try read(source, path: path, split: split)
        let count = pixels.count / max(shape.reduce(1, *), 1)
        guard count == main.count else {
            throw DataError(file: path, expected: "\(main.count) images, as many as \(main.source)", found: "\(count)")
        }
        if let (file, labels) = labels, let k = labels.indices.first(where: { Int(labels[$0]) != Int(main.labels[$0]) }) {
            throw DataError(
                file: file, expected: "the labels of \(main.source) in the same order",
                found: "label \(labels[k]) at index \(k), where it has \(main.labels[k])")
        }
        return ImageDataset(
            unchecked: pixels, labels: main.labels, channels: shape[0], height: shape[1], width: shape[2],
            numClasses: main.numClasses, classNames: main.classNames, source: path)
    }

    /// Pixels, `[C, H, W]` and labels (with the file they came from) of one split's paired files.
    private static func read(_ source: PairedSource, path: String, split: Split) throws -> ([UInt8], [Int], (String, [UInt8])?) {
        switch source.format {
        case .idx:
            let bytes = try Gzip.readFile(path)
            let magic = bytes.count >= 4 ? IDXReader.readU32(bytes, 0) : 0
            let file = try IDXReader.parse(bytes, magic: magic == 0x0000_0804 ? 0x0000_0804 : IDXReader.imagesMagic, file: path)
            let shape = file.dims.count == 3 ? [1] + file.dims.dropFirst() : Array(file.dims.dropFirst())
            if let given = source.shape, given != shape {
                throw DataError(file: path, expected: "\(dims(given)) images (data.student_data.shape)", found: dims(shape))
            }
            guard shape.allSatisfy({ $0 > 0 }) else {
                throw DataError(file: path, expected: "non-empty images", found: dims(shape))
            }
            guard let labelsPath = source.labelsPath(split) else { return (file.data, shape, nil) }
            let labels = try IDXReader.read(labelsPath, magic: IDXReader.labelsMagic)
            guard labels.dims[0] == file.dims[0] else {
                throw DataError(
                    file: labelsPath, expected: "\(file.dims[0]) labels (as many as images in \(path))",
                    found: "\(labels.dims[0])")
            }
            return (file.data, shape, (labelsPath, labels.data))
        case .cifar:
            let shape = source.shape ?? [3, 32, 32]
            let size = shape.reduce(1, *), record = 1 + size
            let bytes = try DataError.onFiles { try FileIO.readBytes(path) }
            guard !bytes.isEmpty, bytes.count % record == 0 else {
                throw DataError(
                    file: path, expected: "whole \(record)-byte records (a label byte and \(dims(shape)) pixels)",
                    found: "\(bytes.count) bytes")
            }
            let n = bytes.count / record
            var pixels = [UInt8](repeating: 0, count: n * size), labels = [UInt8](repeating: 0, count: n)
            for r in 0..<n {
                labels[r] = bytes[r * record]
                pixels.replaceSubrange(r * size..<(r + 1) * size, with: bytes[(r * record + 1)..<((r + 1) * record)])
            }
            return (pixels, shape, (path, labels))
        }
    }

    private static func dims(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }
}
