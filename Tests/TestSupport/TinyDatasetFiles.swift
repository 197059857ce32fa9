// TinyDatasetFiles: writers for small files in the exact published dataset formats (IDX, CIFAR
// binary), plus gzip (stored blocks, own CRC-32) and ustar archives, so readers are tested offline.

import Foundation

/// Byte-level writers of dataset files. Pixels follow `pixel(image:byte:)` so tests can predict them.
public enum TinyDatasetFiles {
    /// The deterministic pixel value of byte `k` of image `i`.
    public static func pixel(image i: Int, byte k: Int) -> UInt8 { UInt8((i * 31 + k * 7 + (k / 29) * 3) % 256) }

    /// The label of image `i` for a dataset of `classes` classes.
    public static func label(image i: Int, classes: Int) -> UInt8 { UInt8((i * 7 + 3) % classes) }

    /// An IDX images file: magic 0x00000803, dims [count, height, width], then the bytes.
    public static func idxImages(count: Int, height: Int, width: Int, pixels: [UInt8]? = nil) -> [UInt8] {
        var out: [UInt8] = [0, 0, 8, 3]
        for d in [count, height, width] { out += u32be(d) }
        let size = height * width
        out += pixels ?? (0..<count * size).map { pixel(image: $0 / size, byte: $0 % size) }
        return out
    }

    /// An IDX labels file: magic 0x00000801, dim [count], then one byte per label.
    public static func idxLabels(_ labels: [UInt8]) -> [UInt8] {
        [0, 0, 8, 1] + u32be(labels.count) + labels
    }

    /// Big-endian u32.
    public static func u32be(_ v: Int) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8),
            UInt8(truncatingIfNeeded: v),
        ]
    }

    /// CIFAR records: for each image its label bytes (`labelBytes(i)`) then 3,072 pixel bytes.
    public static func cifarRecords(count: Int, labelBytes: (Int) -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<count {
            out += labelBytes(i)
            out += (0..<3072).map { pixel(image: i, byte: $0) }
        }
        return out
    }

    /// Writes MNIST-layout files (`train-*`, `t10k-*`, 28x28, 10 classes) into `directory`.
    public static func writeMNIST(directory: String, trainCount: Int, testCount: Int, gzip: Bool) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (prefix, n) in [("train", trainCount), ("t10k", testCount)] {
            let labels = (0..<n).map { label(image: $0, classes: 10) }
            let suffix = gzip ? ".gz" : ""
            let img = idxImages(count: n, height: 28, width: 28)
            let lab = idxLabels(labels)
            try write(gzip ? self.gzip(img) : img, to: "\(directory)/\(prefix)-images-idx3-ubyte\(suffix)")
            try write(gzip ? self.gzip(lab) : lab, to: "\(directory)/\(prefix)-labels-idx1-ubyte\(suffix)")
        }
    }

    /// Writes `cifar-10-batches-bin/` (five training batches of `perBatch` images, a test batch, meta file).
    public static func writeCIFAR10(directory: String, perBatch: Int, testCount: Int) throws {
        let base = "\(directory)/cifar-10-batches-bin"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        for b in 1...5 {
            let records = cifarRecords(count: perBatch) { [label(image: (b - 1) * perBatch + $0, classes: 10)] }
            try write(records, to: "\(base)/data_batch_\(b).bin")
        }
        try write(cifarRecords(count: testCount) { [label(image: $0, classes: 10)] }, to: "\(base)/test_batch.bin")
        let names = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"
        try write(Array(names.utf8), to: "\(base)/batches.meta.txt")
    }

    /// Writes `cifar-100-binary/` (train.bin, test.bin): coarse label = image % 20, fine label = (image * 7 + 3) % 100.
    public static func writeCIFAR100(directory: String, trainCount: Int, testCount: Int) throws {
        let base = "\(directory)/cifar-100-binary"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        for (file, n) in [("train.bin", trainCount), ("test.bin", testCount)] {
            let records = cifarRecords(count: n) { [UInt8($0 % 20), label(image: $0, classes: 100)] }
            try write(records, to: "\(base)/\(file)")
        }
    }

    /// Writes `bytes` to `path`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A fresh empty directory under the system temporary directory.
    public static func temporaryDirectory(_ tag: String = "kd") -> String {
        let path = NSTemporaryDirectory() + "kdistill-\(tag)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    // MARK: gzip (stored deflate blocks) and CRC-32

    /// A valid gzip file holding `data` in uncompressed (stored) deflate blocks.
    public static func gzip(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            let final: UInt8 = offset + n == data.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<offset + n]
            offset += n
        } while offset < data.count
        out += u32le(Int(crc32(data))) + u32le(data.count)
        return out
    }

    /// CRC-32 (IEEE, reflected 0xEDB88320) as used by gzip.
    public static func crc32(_ data: [UInt8]) -> UInt32 {
        var table = [UInt32](repeating: 0, count: 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            table[i] = c
        }
        var crc: UInt32 = 0xFFFF_FFFF
        for b in data { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// Little-endian u32.
    public static func u32le(_ v: Int) -> [UInt8] { u32be(v).reversed() }
}
