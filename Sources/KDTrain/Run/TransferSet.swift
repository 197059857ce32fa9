// TransferSet: the images of `data.transfer` (Hinton et al. 2015 §3): another dataset of the same
// shape, or the run's own training images, with classes left out or kept and an optional limit.

import KDData

/// Loads transfer sets.
enum TransferSet {
    /// The transfer images of `t`; `ownTraining` is data.dataset's training set without its validation
    /// hold-out, which a transfer set of the same dataset's training split starts from. Their labels serve
    /// the class filters only (and the diagnostics of train-teacher's control run).
    static func load(_ t: TransferConfig, data: DataConfig, ownTraining: ImageDataset) throws -> ImageDataset {
        var images: ImageDataset
        if t.dataset == data.dataset && t.split == .train {
            images = ownTraining
        } else {
            let directory = DatasetLoader.resolveDirectory(t.dataset, requested: t.dir)
            images = try DatasetLoader.load(t.dataset, directory: directory, split: t.split)
        }
        guard images.imageShape == ownTraining.imageShape else {
            throw RunInputError(
                "data.transfer: expected \(shape(ownTraining)) images as \(data.dataset.rawValue)'s, found \(shape(images)) "
                    + "in \(images.source) (transfer images are not resized)")
        }
        for (key, classes) in [("exclude_classes", t.excludeClasses), ("include_classes", t.includeClasses)] {
            for (k, c) in classes.enumerated() where c >= images.numClasses {  // classes of the transfer set's own dataset
                throw RunInputError(
                    "data.transfer.\(key)[\(k)]: expected a class in 0..<\(images.numClasses) of \(t.dataset.rawValue), found \(c)"
                )
            }
        }
        if !t.excludeClasses.isEmpty { images = images.filteringClasses { !t.excludeClasses.contains($0) } }
        if !t.includeClasses.isEmpty { images = images.filteringClasses { t.includeClasses.contains($0) } }
        guard images.count > 0 else {
            throw RunInputError("data.transfer: expected images left after the class filters, found none")
        }
        if let limit = t.limit, limit < images.count { images = try images.limited(to: limit, seed: UInt64(t.seed) &+ 505) }
        return images
    }

    private static func shape(_ d: ImageDataset) -> String { d.imageShape.map(String.init).joined(separator: "x") }
}
