// The sections of ExperimentConfig (`data`, `teacher`, `method`, `optimizer`, `schedule`,
// `output`) as typed structs, one per config object.

import KDData
import KDMethods

/// `data`: which images, from where, and how they are prepared.
public struct DataConfig: Equatable, Sendable {
    /// `dataset`.
    public var dataset: DatasetName
    /// `dir` (default `data/<dataset>`).
    public var dir: String
    /// `validation`: training images held out for validation (0: none).
    public var validation: Int
    /// `limit`: first N training images only (nil: all).
    public var limit: Int?
    /// `test_limit`: first N test images only (nil: all).
    public var testLimit: Int?
    /// `normalize`: per-channel mean/std normalisation.
    public var normalize: Bool
    /// `labels`: CIFAR-100 fine or coarse labels (always `.fine` for other datasets).
    public var labels: LabelGranularity
    /// `augment.crop_padding`: random crop after padding by N pixels (0: off).
    public var cropPadding: Int
    /// `augment.flip`: random horizontal flips.
    public var flip: Bool
    /// `imbalance`: a long-tailed subset of the training images (nil: all of them).
    public var imbalance: ImbalanceConfig?
    /// `labeled`: keep only some training labels (nil: all).
    public var labeled: LabeledConfig?
    /// `transfer`: the images a student is distilled on instead (nil: the training set).
    public var transfer: TransferConfig?
    /// `student_view`: transforms of the trained network's copy of each image (nil: none; ViewConfig).
    public var studentView: ImageView?
    /// `student_data`: paired files the trained network reads instead of data's (nil: data's own; ViewConfig).
    public var studentData: PairedSource?

    /// All fields.
    public init(
        dataset: DatasetName, dir: String, validation: Int, limit: Int?, testLimit: Int?,
        normalize: Bool, labels: LabelGranularity, cropPadding: Int, flip: Bool, labeled: LabeledConfig? = nil,
        transfer: TransferConfig? = nil
    ) {
        (self.labeled, self.transfer) = (labeled, transfer)
        self.dataset = dataset
        self.dir = dir
        self.validation = validation
        self.limit = limit
        self.testLimit = testLimit
        self.normalize = normalize
        self.labels = labels
        self.cropPadding = cropPadding
        self.flip = flip
    }
}

extension DataConfig {
    /// The classes the run's labels range over: the dataset's, or CIFAR-100's 20 coarse ones.
    public var numClasses: Int { labels == .coarse ? 20 : dataset.numClasses }
}

/// `data.imbalance`: a long-tailed training subset (Cui et al. 2019's exponential profile, beyond.md 3.4).
public struct ImbalanceConfig: Equatable, Sendable {
    /// Largest over smallest class count (>= 1; 1 keeps every class at the smallest class count).
    public var ratio: Double
    /// The classes from head to tail, a permutation of the labels (nil: label order).
    public var order: [Int]?
    /// Seed of the choice (the run's seed unless given).
    public var seed: Int

    public init(ratio: Double, order: [Int]? = nil, seed: Int) {
        (self.ratio, self.order, self.seed) = (ratio, order, seed)
    }
}

/// `data.labeled`: which training images keep their labels and how batches mix them.
public struct LabeledConfig: Equatable, Sendable {
    /// How many (`size`, `count`, `fraction` or `per_class`).
    public var amount: LabeledAmount
    /// Seed of the choice (the run's seed unless given).
    public var seed: Int
    /// Labelled images per batch (nil: shuffled with the unlabelled ones).
    public var perBatch: Int?
    /// What the cross-entropy is divided by.
    public var ceReduction: CEReduction

    public init(amount: LabeledAmount, seed: Int, perBatch: Int? = nil, ceReduction: CEReduction = .batch) {
        (self.amount, self.seed, self.perBatch, self.ceReduction) = (amount, seed, perBatch, ceReduction)
    }
}

/// `data.transfer`: unlabelled images to distil on (Hinton et al. 2015 §3).
public struct TransferConfig: Equatable, Sendable {
    public var dataset: DatasetName
    public var dir: String
    public var split: Split
    /// Classes left out, or the only ones kept (at most one of the two is non-empty).
    public var excludeClasses: [Int], includeClasses: [Int]
    public var limit: Int?
    /// Whether data.dataset's labelled training images join the transfer images, with ce.
    public var includeLabeled: Bool
    /// Seed of `limit` (the run's unless given).
    public var seed: Int

    public init(
        dataset: DatasetName, dir: String, split: Split = .train, excludeClasses: [Int] = [], includeClasses: [Int] = [],
        limit: Int? = nil, includeLabeled: Bool = false, seed: Int
    ) {
        (self.dataset, self.dir, self.split, self.excludeClasses, self.includeClasses) = (
            dataset, dir, split, excludeClasses, includeClasses
        )
        (self.limit, self.includeLabeled, self.seed) = (limit, includeLabeled, seed)
    }
}

/// `teacher`: the frozen network of distillation.
public struct TeacherConfig: Equatable, Sendable {
    /// `checkpoint`: its safetensors file (nil when not given).
    public var checkpoint: String?
    /// `model`: its architecture when the checkpoint lacks kdistill metadata.
    public var model: ModelConfig?
    /// `train_bn`: run its batch norm in train mode (default false: eval mode).
    public var trainBN: Bool

    /// All fields.
    public init(checkpoint: String?, model: ModelConfig?, trainBN: Bool) {
        self.checkpoint = checkpoint
        self.model = model
        self.trainBN = trainBN
    }
}

/// `method`: the distillation method and its resolved parameters.
public struct MethodConfig: Equatable, Sendable {
    /// `name` as written (`kd`, `at+kd`).
    public var name: String
    /// The registered methods it combines (`[at, kd]`).
    public var parts: [String]
    /// Every declared parameter of the parts, defaults filled in (path `method`).
    public var params: ParamValues

    /// All fields.
    public init(name: String, parts: [String], params: ParamValues) {
        self.name = name
        self.parts = parts
        self.params = params
    }
}

/// `optimizer`.
public struct OptimizerConfig: Equatable, Sendable {
    /// `name`.
    public var name: OptimizerName
    /// `lr`: peak learning rate (> 0).
    public var lr: Double
    /// `momentum` in [0, 1) (SGD).
    public var momentum: Double
    /// `nesterov` (SGD).
    public var nesterov: Bool
    /// `weight_decay` (≥ 0).
    public var weightDecay: Double
    /// `betas`: exactly two numbers in [0, 1) (Adam, AdamW).
    public var betas: [Double]
    /// `eps` (> 0, Adam, AdamW).
    public var eps: Double

    /// All fields.
    public init(
        name: OptimizerName, lr: Double, momentum: Double, nesterov: Bool, weightDecay: Double,
        betas: [Double], eps: Double
    ) {
        self.name = name
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.betas = betas
        self.eps = eps
    }
}

/// `schedule`: learning rate per epoch.
public struct ScheduleConfig: Equatable, Sendable {
    /// `name`.
    public var name: ScheduleName
    /// `warmup_epochs`: linear warm-up length (may be fractional).
    public var warmupEpochs: Double
    /// `step_size` (step).
    public var stepSize: Int
    /// `milestones`, strictly increasing (multistep).
    public var milestones: [Int]
    /// `gamma` (step, multistep).
    public var gamma: Double
    /// `min_lr` (cosine).
    public var minLR: Double

    /// All fields.
    public init(
        name: ScheduleName, warmupEpochs: Double, stepSize: Int, milestones: [Int], gamma: Double,
        minLR: Double
    ) {
        self.name = name
        self.warmupEpochs = warmupEpochs
        self.stepSize = stepSize
        self.milestones = milestones
        self.gamma = gamma
        self.minLR = minLR
    }
}

/// `output`.
public struct OutputConfig: Equatable, Sendable {
    /// `dir` (default `runs/<name>`).
    public var dir: String
    /// `keep_every`: also keep every N-th epoch's checkpoint (0: off).
    public var keepEvery: Int

    /// All fields.
    public init(dir: String, keepEvery: Int) {
        self.dir = dir
        self.keepEvery = keepEvery
    }
}
