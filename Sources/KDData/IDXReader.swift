// IDXReader: the IDX format of MNIST and Fashion-MNIST (LeCun et al., 1998): a big-endian magic
// (0x00000803 images, 0x00000801 labels), big-endian u32 dimensions, then unsigned bytes.

import Foundation
import KDSupport

/// A validated IDX file: its dimensions and its payload bytes.
public struct IDXFile {
    /// Dimensions, outermost first (`[N, H, W]` for images, `[N]` for labels).
    public let dims: [Int]
    /// The `dims.product` data bytes after the header.
    public let data: [UInt8]
}

/// Parser and validator for IDX unsigned-byte files.
public enum IDXReader {
    /// Magic of an unsigned-byte rank-3 file (images).
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// Magic of an unsigned-byte rank-1 file (labels).
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Validates `bytes` as IDX with `magic`; errors name `file`.
    public static func parse(_ bytes: [UInt8], magic: UInt32, file: String) throws -> IDXFile {
        let kind = magic == imagesMagic ? "IDX images" : "IDX labels"
        guard bytes.count >= 4 else {
            throw DataError(
                file: file, expected: "at least 4 bytes (\(kind) magic)",
                found: bytes.isEmpty ? "an empty file" : "\(bytes.count) bytes")
        }
        let found = readU32(bytes, 0)
        guard found == magic else {
            throw DataError(file: file, expected: "magic \(hex(magic)) (\(kind))", found: hex(found))
        }
        let rank = Int(magic & 0xFF)
        let header = 4 + 4 * rank
        guard bytes.count >= header else {
            throw DataError(
                file: file, expected: "a \(header)-byte header (\(rank) dimensions)",
                found: "\(bytes.count) bytes")
        }
        var dims: [Int] = []
        var total = 1
        for k in 0..<rank {
            let d = Int(readU32(bytes, 4 + 4 * k))
            dims.append(d)
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw DataError(file: file, expected: "plausible dimensions", found: dimsText(dims))
            }
            total = p
        }
        guard bytes.count == header + total else {
            throw DataError(
                file: file,
                expected: "\(header + total) bytes (\(header)-byte header + \(dimsText(dims)) data)",
                found: "\(bytes.count) bytes")
        }
        return IDXFile(dims: dims, data: Array(bytes[header...]))
    }

    /// Reads and validates the IDX file at `path` (plain or gzip).
    public static func read(_ path: String, magic: UInt32) throws -> IDXFile {
        try parse(try Gzip.readFile(path), magic: magic, file: path)
    }

    /// Loads an images/labels pair into a dataset, checking geometry, count agreement and label range.
    public static func loadPair(
        images: String, labels: String, height: Int, width: Int,
        numClasses: Int, classNames: [String]
    ) throws -> ImageDataset {
        let img = try read(images, magic: imagesMagic)
        guard img.dims[1] == height, img.dims[2] == width else {
            throw DataError(
                file: images, expected: "\(height)x\(width) images",
                found: "\(img.dims[1])x\(img.dims[2])")
        }
        let lab = try read(labels, magic: labelsMagic)
        guard lab.dims[0] == img.dims[0] else {
            throw DataError(
                file: labels, expected: "\(img.dims[0]) labels (as many as images in \(images))",
                found: "\(lab.dims[0])")
        }
        var labels32 = [Int32](repeating: 0, count: lab.data.count)
        for (i, b) in lab.data.enumerated() {
            guard Int(b) < numClasses else {
                throw DataError(file: labels, expected: "labels below \(numClasses)", found: "label \(b) at index \(i)")
            }
            labels32[i] = Int32(b)
        }
        return ImageDataset(
            unchecked: img.data, labels: labels32, channels: 1, height: height, width: width,
            numClasses: numClasses, classNames: classNames, source: images)
    }

    static func readU32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
    }

    static func dimsText(_ dims: [Int]) -> String { dims.map(String.init).joined(separator: "x") }
}
