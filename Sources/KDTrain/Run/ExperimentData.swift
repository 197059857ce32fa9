// ExperimentData: the `data` section of a config turned into batch loaders: the training split
// (optionally limited, long-tailed, with a validation hold-out and only some labels kept), the test split
// (left unread for a study's trials), and the training-set normalisation.

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
    /// The images `validation` reads (a study's corruption objective is made from them).
    public let validationImages: ImageDataset?
    /// Test batches (none, and the files never read, when loaded with `loadTest: false`: a study's trial).
    public let test: BatchLoader
    /// Whether the test split was read (false: `test` is empty).
    public let testLoaded: Bool
    /// The test images `test` reads (corruptions are made from them).
    public let testImages: ImageDataset
    /// Training-set mean/std (identity when `normalize` is off).
    public let normalization: Normalization
    /// `[C, H, W]`.
    public let inputShape: [Int]
    public let numClasses: Int
    /// The directory the files were read from.
    public let directory: String
    /// The training images whose labels the run keeps (`data.labeled`; nil: all of them).
    public let labeled: LabeledSelection?
    /// The long-tailed subset the run trains on (`data.imbalance`; nil: none).
    public let imbalance: ImbalanceSelection?
    /// Images per class of `dataset`'s training set after the validation hold-out, `limit` and `imbalance`
    /// (before `labeled` and `transfer`), in label order: summary.json's `train_class_counts`.
    public let trainClassCounts: [Int]
    /// The images `train` holds, in its order (their labels as read, hidden ones included).
    public let trainImages: ImageDataset
    /// Each class's share of `dataset`'s training labels (without the validation hold-out): the class prior,
    /// also when the run trains on a transfer set that leaves classes out.
    public let classPrior: [Double]
    /// Whether the true labels of unlabelled training images are those of `dataset` (for diagnostics
    /// only: a transfer set of another dataset has labels of its own).
    public let hiddenLabelsComparable: Bool
    /// What the loaders read (data's images, or `data.student_view` / `student_data`'s view of them).
    public let view: DataView
    /// The samples on data's own files, for the loaders of other views (`teacherInputs(for:)`).
    let sources: ViewSources
    let batchSize: Int, evalBatchSize: Int
    /// Whether the training images are a transfer set (whose samples no other view pairs).
    let transferred: Bool
    private var teacherFeeds: [TeacherInputs] = []

    /// Loads everything `config` asks for; data errors name the file. `supervisedOnly` (train-teacher)
    /// trains on images with labels alone: the labelled ones of `data.labeled`, or the transfer set with its
    /// own labels (Hinton's control run); otherwise (distill) some labels may be hidden. `normalization`
    /// replaces the statistics of the training images (a transfer run normalises as its teacher did).
    /// The samples are chosen on data's own files; the loaders then read them as `data.student_view` /
    /// `student_data` say (the same samples in the same order), normalised with that view's own statistics.
    public init(
        _ config: DataConfig, seed: Int, batchSize: Int, evalBatchSize: Int, supervisedOnly: Bool = false,
        normalization given: Normalization? = nil, loadTest: Bool = true
    ) throws {
        dataset = config.dataset
        directory = DatasetLoader.resolveDirectory(config.dataset, requested: config.dir)
        let labels: CIFAR100Labels = config.labels == .coarse ? .coarse : .fine
        let trainFile = try DatasetLoader.load(config.dataset, directory: directory, split: .train, cifar100Labels: labels)
        let testFile =
            loadTest
            ? try DatasetLoader.load(config.dataset, directory: directory, split: .test, cifar100Labels: labels)
            : trainFile.subset(indices: [])
        var (trainSet, testSet) = (trainFile, testFile)
        testLoaded = loadTest
        let dataSeed = UInt64(seed)
        var validationSet: ImageDataset?
        if config.validation > 0 {
            let split = try trainSet.splitValidation(count: config.validation, seed: dataSeed &+ 101)
            trainSet = split.train
            validationSet = split.validation
        }
        let heldOut = trainSet
        classPrior = heldOut.classCounts.map { Double($0) / Double(max(heldOut.count, 1)) }
        if let limit = config.limit, limit < trainSet.count { trainSet = try trainSet.limited(to: limit, seed: dataSeed &+ 202) }
        // beyond.md 0: validation, limit, imbalance, then labeled and transfer.
        let longTail = try config.imbalance.map { try ImbalanceSelection(trainSet, $0) }
        if let longTail { trainSet = trainSet.subset(indices: longTail.indices) }
        (imbalance, trainClassCounts) = (longTail, trainSet.classCounts)
        if let limit = config.testLimit, limit < testSet.count { testSet = try testSet.limited(to: limit, seed: dataSeed &+ 303) }
        let selection = try config.labeled.map { try LabeledSelection(trainSet, $0) }
        // Fitted on every training image, labelled or not (they are all the run's inputs).
        let norm = given ?? (config.normalize ? Normalization.fit(trainSet) : .identity(channels: trainSet.channels))
        labeled = selection
        let (images, labeledIndices) = try Self.trainingImages(
            config, heldOut: heldOut, train: trainSet, selection: selection, supervisedOnly: supervisedOnly)
        hiddenLabelsComparable = config.transfer.map { $0.dataset == config.dataset } ?? true
        sources = ViewSources(
            trainFile: trainFile, testFile: testFile, testLoaded: loadTest,
            original: ViewImages(train: images, validation: validationSet, test: testSet, normalization: norm),
            normalizationImages: trainSet, normalize: config.normalize)
        view = config.view
        let own = try sources.images(view)
        (normalization, trainImages, validationImages, testImages) = (own.normalization, own.train, own.validation, own.test)
        let augmentation = Augmentation(cropPadding: config.cropPadding, horizontalFlip: config.flip)
        train = try BatchLoader(
            dataset: own.train, normalization: own.normalization, batchSize: batchSize, shuffle: true,
            augmentation: augmentation, seed: dataSeed, labeled: labeledIndices,
            perBatch: labeledIndices == nil ? nil : config.labeled?.perBatch)
        validation = try own.validation.map {
            try BatchLoader(dataset: $0, normalization: own.normalization, batchSize: evalBatchSize, shuffle: false)
        }
        test = try BatchLoader(dataset: own.test, normalization: own.normalization, batchSize: evalBatchSize, shuffle: false)
        inputShape = own.inputShape
        numClasses = trainSet.numClasses
        (self.batchSize, self.evalBatchSize, transferred) = (batchSize, evalBatchSize, config.transfer != nil)
    }

    /// This run's data with other training images: `images`, of which those at `labeled` keep their labels,
    /// `perBatch` of them in each batch of `batchSize` (a Noisy Student generation's pseudo-labelled set).
    init(_ base: ExperimentData, training images: ImageDataset, labeled: [Int], perBatch: Int, batchSize: Int, seed: Int) throws {
        (dataset, validation, test, normalization) = (base.dataset, base.validation, base.test, base.normalization)
        (sources, view, evalBatchSize, transferred) = (base.sources, base.view, base.evalBatchSize, base.transferred)
        self.batchSize = batchSize
        validationImages = base.validationImages
        testLoaded = base.testLoaded
        testImages = base.testImages
        (inputShape, numClasses, directory, self.labeled) = (base.inputShape, base.numClasses, base.directory, base.labeled)
        (imbalance, trainClassCounts) = (base.imbalance, base.trainClassCounts)
        (trainImages, hiddenLabelsComparable, classPrior) = (images, base.hiddenLabelsComparable, base.classPrior)
        train = try BatchLoader(
            dataset: images, normalization: base.normalization, batchSize: batchSize, shuffle: true,
            augmentation: base.train.augmentation, seed: UInt64(seed), labeled: labeled, perBatch: perBatch)
    }

    /// The images a run trains on and which of them keep their labels (nil: all). `heldOut` is the training
    /// set without the validation split, `train` the same after `limit` and `imbalance`.
    static func trainingImages(
        _ config: DataConfig, heldOut: ImageDataset, train: ImageDataset, selection: LabeledSelection?, supervisedOnly: Bool
    ) throws -> (ImageDataset, [Int]?) {
        guard let transfer = config.transfer else {
            guard let selection else { return (train, nil) }
            return supervisedOnly ? (train.subset(indices: selection.indices), nil) : (train, selection.indices)
        }
        let images = try TransferSet.load(transfer, data: config, ownTraining: heldOut)
        if supervisedOnly {
            guard selection == nil else {
                throw RunInputError("data.transfer: train-teacher trains on the transfer set's labels; leave data.labeled out")
            }
            // Its labels reach the loss here, so they must be the model's classes.
            guard images.numClasses == train.numClasses else {
                throw RunInputError(
                    "data.transfer: train-teacher trains on its labels, expected \(train.numClasses) classes as "
                        + "\(config.dataset.rawValue), found \(images.numClasses) in \(images.source)")
            }
            return (images, nil)
        }
        guard transfer.includeLabeled else { return (images, []) }
        let labelled = selection.map { train.subset(indices: $0.indices) } ?? train
        return (try images.appending(labelled), Array(images.count..<images.count + labelled.count))
    }

    /// The share of labelled images in a training batch (`MethodSetup.labeledFraction`): m/B with
    /// `per_batch`, else the labelled share of the training set.
    public var labeledFraction: Double {
        if let m = train.perBatch { return Double(m) / Double(train.batchSize) }
        return Double(train.labeledCount) / Double(max(train.count, 1))
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

    /// The zoo spec of `model` for this data (for inputs of `shape`; default: the loaders' own).
    public func spec(_ model: ModelConfig, inputShape shape: [Int]? = nil) -> ModelSpec {
        ModelSpec(
            name: model.name, inputShape: shape ?? inputShape, numClasses: numClasses, dropout: Float(model.dropout),
            headDropout: Float(model.headDropout), stochasticDepth: Float(model.stochasticDepth))
    }

    /// The loaders of a network that reads `other` (a teacher's view), nil when it is the loaders' own view
    /// (it then reads the run's batches). Built once per view; a transfer set pairs with no other view.
    public func teacherInputs(for other: DataView) throws -> TeacherInputs? {
        if other == view { return nil }
        if let kept = teacherFeeds.first(where: { $0.view == other }) { return kept }
        if transferred {
            throw RunInputError(
                "data.transfer: a network that reads \(other.summary) needs data's own samples, not a transfer set")
        }
        let inputs = try TeacherInputs(
            other, images: try sources.images(other), batchSize: batchSize, evalBatchSize: evalBatchSize)
        teacherFeeds.append(inputs)
        return inputs
    }
}
