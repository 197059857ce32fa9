// CIFARReader: the binary CIFAR-10/100 layout (Krizhevsky, 2009): fixed-size records of label
// byte(s) followed by 3,072 pixel bytes, already in [C, H, W] order (1024 R, 1024 G, 1024 B).

import Foundation
import KDSupport

/// Parser and validator for CIFAR binary batch files.
public enum CIFARReader {
    /// Pixel bytes per record (3 x 32 x 32).
    public static let imageBytes = 3 * 32 * 32

    /// Appends the records of `bytes` to `pixels`/`labels`; the label is byte `labelIndex` of each
    /// record and the pixels start at byte `labelBytes`. Errors name `file`.
    public static func parse(
        _ bytes: [UInt8], file: String, labelBytes: Int, labelIndex: Int, numClasses: Int,
        pixels: inout [UInt8], labels: inout [Int32]
    ) throws {
        let record = labelBytes + imageBytes
        guard !bytes.isEmpty else {
            throw DataError(file: file, expected: "at least one \(record)-byte record", found: "an empty file")
        }
        guard bytes.count % record == 0 else {
            throw DataError(
                file: file, expected: "a whole number of \(record)-byte records",
                found: "\(bytes.count) bytes (\(bytes.count / record) records + \(bytes.count % record) bytes)")
        }
        let n = bytes.count / record
        for r in 0..<n where Int(bytes[r * record + labelIndex]) >= numClasses {
            throw DataError(
                file: file, expected: "labels below \(numClasses)",
                found: "label \(bytes[r * record + labelIndex]) in record \(r)")
        }
        let start = pixels.count
        pixels.append(contentsOf: repeatElement(0, count: n * imageBytes))
        labels.reserveCapacity(labels.count + n)
        bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for r in 0..<n {
                    (dst.baseAddress! + start + r * imageBytes)
                        .update(from: src.baseAddress! + r * record + labelBytes, count: imageBytes)
                }
            }
        }
        for r in 0..<n { labels.append(Int32(bytes[r * record + labelIndex])) }
    }

    /// Reads CIFAR-10 batch files into one dataset.
    public static func loadCIFAR10(files: [String], classNames: [String]) throws -> ImageDataset {
        try load(files: files, labelBytes: 1, labelIndex: 0, numClasses: 10, classNames: classNames)
    }

    /// Reads CIFAR-100 files into one dataset, with fine (100) or coarse (20) labels.
    public static func loadCIFAR100(files: [String], labels: CIFAR100Labels, classNames: [String]) throws -> ImageDataset {
        try load(
            files: files, labelBytes: 2, labelIndex: labels == .coarse ? 0 : 1,
            numClasses: labels == .coarse ? 20 : 100, classNames: classNames)
    }

    static func load(
        files: [String], labelBytes: Int, labelIndex: Int, numClasses: Int,
        classNames: [String]
    ) throws -> ImageDataset {
        var pixels: [UInt8] = []
        var labels: [Int32] = []
        for f in files {
            try parse(
                try DataError.onFiles { try FileIO.readBytes(f) }, file: f, labelBytes: labelBytes, labelIndex: labelIndex,
                numClasses: numClasses, pixels: &pixels, labels: &labels)
        }
        return ImageDataset(
            unchecked: pixels, labels: labels, channels: 3, height: 32, width: 32,
            numClasses: numClasses, classNames: classNames, source: files.first ?? "")
    }
}
