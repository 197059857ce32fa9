// ImageDataset: a whole split held as raw bytes, pixels `[N, C, H, W]` and one Int32 label per
// image. Readers produce it; subsetting, splitting and the batch loader consume it.

import Foundation

/// Images as raw `UInt8` pixels in NCHW order (`[N, C, H, W]`) with their labels.
public struct ImageDataset: Sendable {
    /// `count * channels * height * width` bytes, image after image, channel planes row-major.
    public let pixels: [UInt8]
    /// One label per image, each in `0..<numClasses`.
    public let labels: [Int32]
    /// Colour channels per image.
    public let channels: Int
    /// Rows per image.
    public let height: Int
    /// Columns per image.
    public let width: Int
    /// Number of classes labels range over.
    public let numClasses: Int
    /// Class names in label order (`numClasses` of them).
    public let classNames: [String]
    /// Where the data came from (file or directory), for messages.
    public let source: String
    /// Each image's position in the file it was read from (nil: the identity, for a whole file).
    private let origins: [Int]?

    /// A dataset over `pixels` `[N, C, H, W]`; checks sizes and that every label is in range.
    public init(
        pixels: [UInt8], labels: [Int32], channels: Int, height: Int, width: Int,
        numClasses: Int, classNames: [String]? = nil, source: String = "<memory>"
    ) throws {
        guard channels > 0, height > 0, width > 0 else {
            throw DataError(
                file: source, expected: "positive image dimensions",
                found: "\(channels)x\(height)x\(width)")
        }
        guard numClasses > 0 else {
            throw DataError(file: source, expected: "at least one class", found: "\(numClasses)")
        }
        let imageSize = channels * height * width
        guard pixels.count == labels.count * imageSize else {
            throw DataError(
                file: source, expected: "\(labels.count * imageSize) pixel bytes for \(labels.count) images",
                found: "\(pixels.count)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= numClasses }) {
            throw DataError(
                file: source, expected: "labels in 0..<\(numClasses)",
                found: "label \(labels[bad]) at index \(bad)")
        }
        let names = classNames ?? (0..<numClasses).map(String.init)
        guard names.count == numClasses else {
            throw DataError(file: source, expected: "\(numClasses) class names", found: "\(names.count)")
        }
        self.init(
            unchecked: pixels, labels: labels, channels: channels, height: height, width: width,
            numClasses: numClasses, classNames: names, source: source)
    }

    /// Internal initialiser for data already validated by a reader.
    init(
        unchecked pixels: [UInt8], labels: [Int32], channels: Int, height: Int, width: Int,
        numClasses: Int, classNames: [String], source: String, origins: [Int]? = nil
    ) {
        self.origins = origins
        self.pixels = pixels
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.numClasses = numClasses
        self.classNames = classNames
        self.source = source
    }

    /// Number of images.
    public var count: Int { labels.count }
    /// Bytes per image (`C * H * W`).
    public var imageSize: Int { channels * height * width }
    /// Shape of one image, `[C, H, W]`.
    public var imageShape: [Int] { [channels, height, width] }

    /// The position of image `i` in the file the dataset was read from (subsets, splits and limits keep
    /// track), so a run can name its samples by their published index.
    public func origin(of i: Int) -> Int { origins?[i] ?? i }

    /// Images per class, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: numClasses)
        for l in labels { counts[Int(l)] += 1 }
        return counts
    }

    /// The same images (labels, shape, names, origins) with new `pixels` of the same size (a corruption's output).
    func replacingPixels(_ newPixels: [UInt8]) -> ImageDataset {
        precondition(newPixels.count == pixels.count, "replacement pixels of another size")
        return ImageDataset(
            unchecked: newPixels, labels: labels, channels: channels, height: height, width: width,
            numClasses: numClasses, classNames: classNames, source: source, origins: origins)
    }

    /// The images at `indices` (each in `0..<count`), in that order.
    public func subset(indices: [Int]) -> ImageDataset {
        let size = imageSize
        var out = [UInt8](repeating: 0, count: indices.count * size)
        var outLabels = [Int32](repeating: 0, count: indices.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "subset index \(i) outside 0..<\(count)")
                    (dst.baseAddress! + k * size).update(from: src.baseAddress! + i * size, count: size)
                    outLabels[k] = labels[i]
                }
            }
        }
        return ImageDataset(
            unchecked: out, labels: outLabels, channels: channels, height: height, width: width,
            numClasses: numClasses, classNames: classNames, source: source, origins: indices.map(origin(of:)))
    }
}
