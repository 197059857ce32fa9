// CheckpointImages: the images of one split as a checkpoint's network reads them (its dataset, its
// data view, its normalisation), for quantization's calibration and comparison and int8 evaluation.

import KDData
import KDNN

/// A split as a checkpoint's network reads it.
struct CheckpointImages {
    let dataset: DatasetName
    /// The images, viewed as the network was trained to read them (not normalised).
    let images: ImageDataset
    let normalization: Normalization
    /// The view's summary when it is not the original images.
    let view: String?

    /// `split` of the checkpoint's dataset (or `datasetName`), limited to a class-balanced `limit` images.
    static func load(
        _ file: ModelCheckpoint, spec: ModelSpec, datasetName: String?, directory: String?, split: Split, limit: Int?
    ) throws -> CheckpointImages {
        guard let name = datasetName ?? file.metadata.dataset, let dataset = DatasetName(rawValue: name) else {
            throw RunInputError(
                "\(file.path): expected a dataset (checkpoint metadata or --data), found "
                    + (datasetName ?? file.metadata.dataset).map { "'\($0)'" }.orNone)
        }
        let dir = DatasetLoader.resolveDirectory(dataset, requested: directory ?? "data/\(dataset.rawValue)")
        let labels: CIFAR100Labels = spec.numClasses == 20 ? .coarse : .fine
        let whole = try DatasetLoader.load(dataset, directory: dir, split: split, cifar100Labels: labels)
        var sample = whole
        if let limit, limit < sample.count { sample = try sample.limited(to: limit, seed: 0) }
        let source = EvalSource(dataset: dataset, directory: dir, labels: labels, split: split, file: whole)
        let view = try DataView(metadata: file.metadata, source: file.path)
        let images = try source.viewed(sample, view)
        guard images.imageShape == spec.inputShape, images.numClasses == spec.numClasses else {
            throw RunInputError(
                "\(file.path): expected data of shape \(spec.inputShape) with \(spec.numClasses) classes, "
                    + "found \(dataset.rawValue) \(images.imageShape) with \(images.numClasses)")
        }
        let norm =
            try Evaluate.checkpointNormalization(file, channels: spec.inputShape[0]) ?? source.fittedNormalization(view)
        return CheckpointImages(dataset: dataset, images: images, normalization: norm, view: view.isOriginal ? nil : view.summary)
    }

    /// A loader of normalised batches in order.
    func loader(batchSize: Int) throws -> BatchLoader {
        try BatchLoader(dataset: images, normalization: normalization, batchSize: batchSize, shuffle: false)
    }
}
