// IDXWriter: the IDX format written back (the reader's twin): big-endian magic 0x0000080R (unsigned
// bytes, R dimensions), R big-endian u32 dimensions, then the bytes. Files are written atomically.

import Foundation
import KDSupport

/// Writes IDX unsigned-byte files: labels `[N]`, gray images `[N, H, W]`, other images `[N, C, H, W]`.
public enum IDXWriter {
    /// The header of an unsigned-byte IDX file with `dims` (1…255 dimensions, each below 2³²).
    public static func header(dims: [Int]) -> [UInt8] {
        precondition((1...255).contains(dims.count) && dims.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) })
        var out: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
        for d in dims { out += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: d >> $0) } }
        return out
    }

    /// The images of `dataset` as IDX: `[N, H, W]` (magic 0x00000803, as MNIST) for one channel,
    /// `[N, C, H, W]` (magic 0x00000804) otherwise.
    public static func writeImages(_ dataset: ImageDataset, to path: String) throws {
        let dims =
            dataset.channels == 1
            ? [dataset.count, dataset.height, dataset.width] : [dataset.count, dataset.channels, dataset.height, dataset.width]
        try write(header: header(dims: dims), data: dataset.pixels, to: path)
    }

    /// The labels of `dataset` as IDX `[N]` (magic 0x00000801); every label must fit a byte.
    public static func writeLabels(_ dataset: ImageDataset, to path: String) throws {
        guard dataset.numClasses <= 256 else {
            throw DataError(file: path, expected: "at most 256 classes (one byte per IDX label)", found: "\(dataset.numClasses)")
        }
        try write(header: header(dims: [dataset.count]), data: dataset.labels.map { UInt8($0) }, to: path)
    }

    private static func write(header: [UInt8], data: [UInt8], to path: String) throws {
        try DataError.onFiles {
            try AtomicFile.write(to: path) { sink in
                try sink.write(header)
                try sink.write(data)
            }
        }
    }
}
