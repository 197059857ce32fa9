// DatasetCombining: building a run's training images out of others: keeping some classes only, and
// appending one dataset to another of the same image shape (a transfer set and the labelled images).

extension ImageDataset {
    /// The images whose label satisfies `keep`, in order.
    public func filteringClasses(_ keep: (Int) -> Bool) -> ImageDataset {
        subset(indices: labels.indices.filter { keep(Int(labels[$0])) })
    }

    /// This dataset's images followed by `other`'s (same image shape and class count, else a data error);
    /// each keeps its position in its own file (`origin(of:)`).
    public func appending(_ other: ImageDataset) throws -> ImageDataset {
        guard other.imageShape == imageShape, other.numClasses == numClasses else {
            throw DataError(
                file: other.source,
                expected: "\(channels)x\(height)x\(width) images of \(numClasses) classes (as \(source))",
                found: "\(other.channels)x\(other.height)x\(other.width) images of \(other.numClasses) classes")
        }
        return ImageDataset(
            unchecked: pixels + other.pixels, labels: labels + other.labels, channels: channels, height: height,
            width: width, numClasses: numClasses, classNames: classNames, source: source,
            origins: (0..<count).map(origin(of:)) + (0..<other.count).map(other.origin(of:)))
    }
}
