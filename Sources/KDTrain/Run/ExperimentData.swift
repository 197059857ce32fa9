// ExperimentData: the `data` section of a config turned into batch loaders: the training split
// (optionally limited, with a validation hold-out), the test split, and the training-set normalisation.

import KDData
import KDMethods
import KDNN
import KDTensor

/// Loaded and prepared data of one run.
public final class ExperimentData {
    public let dataset: DatasetName
    /// Training batches (shuffled, augmented as configured).
    public let train: BatchLoader
    /// Held-out validation batches, when `data.validation > 0`.
    public let validation: BatchLoader?
    /// Test batches.
    public let test: BatchLoader
    /// Training-set mean/std (identity when `normalize` is off).
    public let normalization: Normalization
    /// `[C, H, W]`.
    public let inputShape: [Int]
    public let numClasses: Int
    /// The directory the files were read from.
    public let directory: String

    /// Loads everything `config` asks for; data errors name the file.
    public init(_ config: DataConfig, seed: Int, batchSize: Int, evalBatchSize: Int) throws {
        dataset = config.dataset
        directory = DatasetLoader.resolveDirectory(config.dataset, requested: config.dir)
        let labels: CIFAR100Labels = config.labels == .coarse ? .coarse : .fine
        var trainSet = try DatasetLoader.load(config.dataset, directory: directory, split: .train, cifar100Labels: labels)
        var testSet = try DatasetLoader.load(config.dataset, directory: directory, split: .test, cifar100Labels: labels)
        let dataSeed = UInt64(seed)
        var validationSet: ImageDataset?
        if config.validation > 0 {
            let split = try trainSet.splitValidation(count: config.validation, seed: dataSeed &+ 101)
            trainSet = split.train
            validationSet = split.validation
        }
        if let limit = config.limit, limit < trainSet.count { trainSet = try trainSet.limited(to: limit, seed: dataSeed &+ 202) }
        if let limit = config.testLimit, limit < testSet.count { testSet = try testSet.limited(to: limit, seed: dataSeed &+ 303) }
        let norm = config.normalize ? Normalization.fit(trainSet) : .identity(channels: trainSet.channels)
        normalization = norm
        let augmentation = Augmentation(cropPadding: config.cropPadding, horizontalFlip: config.flip)
        train = try BatchLoader(
            dataset: trainSet, normalization: norm, batchSize: batchSize, shuffle: true,
            augmentation: augmentation, seed: dataSeed)
        validation = try validationSet.map {
            try BatchLoader(dataset: $0, normalization: norm, batchSize: evalBatchSize, shuffle: false)
        }
        test = try BatchLoader(dataset: testSet, normalization: norm, batchSize: evalBatchSize, shuffle: false)
        inputShape = [trainSet.channels, trainSet.height, trainSet.width]
        numClasses = trainSet.numClasses
    }

    /// Whether training batches are augmented.
    public var augmented: Bool { train.augmentation.cropPadding > 0 || train.augmentation.horizontalFlip }

    /// The training batches under further augmentation draws, as methods read them (mean-teacher).
    public var trainingViews: TrainingViews {
        let loader = train
        return TrainingViews(stepsPerEpoch: loader.numBatches) { indices, epoch, index, stream in
            loader.batch(indices: indices, epoch: epoch, index: index, stream: stream).images
        }
    }

    /// The loader accuracy is tracked on during training: validation if held out, else test.
    public var monitor: (name: String, loader: BatchLoader) {
        validation.map { ("val_acc", $0) } ?? ("test_acc", test)
    }

    /// The zoo spec of `model` for this data.
    public func spec(_ model: ModelConfig) -> ModelSpec {
        ModelSpec(name: model.name, inputShape: inputShape, numClasses: numClasses, dropout: Float(model.dropout))
    }
}
