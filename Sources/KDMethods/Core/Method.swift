// Method: the small protocol every single-student distillation method implements. A method declares
// its parameters, the taps it reads, any extra trainable parts and its stages, and turns one step's
// outputs into named loss terms; the runner owns the loop, logging and checkpoints.

import KDAdversarial
import KDNN
import KDTensor

/// A phase of training with its own loss and a fresh optimizer and schedule (FitNets, FSP, AB).
public struct Stage: Equatable, Sendable {
    /// Name used in logs (`hint`, `fsp`, `ab`, `train`).
    public let name: String
    /// Epochs this stage runs.
    public let epochs: Int
    /// An initialisation stage (ab's): SGD with momentum 0.9 and the main weight decay at the main learning
    /// rate, held constant, instead of the configured optimizer and schedule; in a combination (`ab+kd`)
    /// only the method that declares it contributes terms.
    public let initialization: Bool
    /// Prefixes of parameter names the stage leaves untrained (ab's first stage: `fc.`).
    public let frozen: [String]
    /// Whether the student runs (ft's paraphraser stage: false). When it does not, the runner skips its
    /// forward pass (its BN statistics stay as they are), `StepContext.student` holds no taps and empty
    /// logits, only the method's extra parts are trained, and the stage's metrics carry no `train_acc`.
    public let studentRuns: Bool
    /// The constant learning rate of an initialisation stage (ft's `paraphraser_lr`); nil: the main one.
    public let learningRate: Double?

    public init(
        _ name: String, epochs: Int, initialization: Bool = false, frozen: [String] = [], studentRuns: Bool = true,
        learningRate: Double? = nil
    ) {
        (self.name, self.epochs, self.initialization, self.frozen) = (name, epochs, initialization, frozen)
        (self.studentRuns, self.learningRate) = (studentRuns, learningRate)
    }
}

/// What a method needs from the frozen teacher(s) in a stage.
public enum TeacherUse: Equatable, Sendable {
    /// No teacher forward at all.
    case none
    /// Logits only (these may be cached for the whole training set when there is no augmentation).
    case logits
    /// Logits and the named feature taps (these too may be cached).
    case features(Set<String>)

    /// What several methods need together (`at+kd`): the strongest use, with the union of their taps.
    public static func combined(_ uses: [TeacherUse]) -> TeacherUse {
        var taps = Set<String>(), anyFeatures = false
        for case .features(let t) in uses {
            taps.formUnion(t)
            anyFeatures = true
        }
        if anyFeatures { return .features(taps) }
        return uses.contains(.logits) ? .logits : .none
    }

    /// The teacher taps this use reads (none for `.logits`).
    public var taps: Set<String> {
        if case .features(let t) = self { return t }
        return []
    }
}

/// One weighted loss term; the step's loss is the sum of its terms.
public struct LossTerm {
    /// Logged name (`ce`, `kd`, `at`, `hint`, `fsp`, `rkd_d`, `rkd_a`, `sp`, `peer`).
    public let name: String
    /// The term's contribution, already multiplied by its weight (a scalar tensor on the tape).
    public let value: Tensor

    public init(_ name: String, _ value: Tensor) {
        self.name = name
        self.value = value
    }
}

/// What the cross-entropy of a batch with unlabelled samples is divided by (`data.labeled.ce_reduction`).
public enum CEReduction: String, CaseIterable, Sendable {
    /// The batch size B (Mean Teacher's rule): a labelled sample keeps its supervised weight.
    case batch
    /// The number of labelled samples in the batch (0 when there are none).
    case labeled
}

/// Everything a method sees in one training step.
public struct StepContext {
    /// Labels of the batch, `[B]`; a negative label (`unlabeledMark`) marks a sample the run keeps no label
    /// for (`data.labeled`): label terms skip it, distillation terms use it like any other.
    public let labels: [Int32]
    /// The student's forward pass (on the tape).
    public let student: ModelOutput
    /// The frozen teachers' outputs (no tape); logits-only when cached. Empty when no teacher is used.
    public let teachers: [ModelOutput]
    /// Epoch within the run, 0-based.
    public let epoch: Int
    /// The current stage.
    public let stage: Stage
    /// `label_smoothing` of the config, for cross-entropy terms.
    public let labelSmoothing: Float
    /// Each sample's position in the unshuffled training set, `[B]` (crd's memory banks are indexed by it).
    public let indices: [Int]
    /// The batch's index within its epoch (with `epoch`, it seeds per-step draws, so a resume repeats them).
    public let batchIndex: Int
    /// What label terms divide by when some samples are unlabelled.
    public let ceReduction: CEReduction
    /// The batch as loaded, `[B, C, H, W]`, when the student read another input (`studentInput`: ard's and
    /// rslad's adversarial images); nil in contexts that offer none.
    public let cleanImages: Tensor?
    /// Runs the student on another input, on the tape, in this step's mode (rslad's natural term); nil in
    /// contexts that offer none.
    public let runStudent: ((Tensor) -> ModelOutput)?

    public init(
        labels: [Int32], student: ModelOutput, teachers: [ModelOutput], epoch: Int, stage: Stage,
        labelSmoothing: Float = 0, indices: [Int] = [], batchIndex: Int = 0, ceReduction: CEReduction = .batch,
        cleanImages: Tensor? = nil, runStudent: ((Tensor) -> ModelOutput)? = nil
    ) {
        (self.labels, self.student, self.teachers, self.epoch, self.stage, self.labelSmoothing) =
            (labels, student, teachers, epoch, stage, labelSmoothing)
        (self.indices, self.batchIndex, self.ceReduction) = (indices, batchIndex, ceReduction)
        (self.cleanImages, self.runStudent) = (cleanImages, runStudent)
    }

    /// The same step with another student output (a cohort member's).
    public func with(student output: ModelOutput) -> StepContext {
        StepContext(
            labels: labels, student: output, teachers: teachers, epoch: epoch, stage: stage, labelSmoothing: labelSmoothing,
            indices: indices, batchIndex: batchIndex, ceReduction: ceReduction, cleanImages: cleanImages,
            runStudent: runStudent)
    }

    /// The student's output on the clean batch: the runner's own pass, or (after `studentInput` replaced the
    /// input) a second pass on `cleanImages`.
    public var cleanStudent: ModelOutput {
        guard let cleanImages, let runStudent else { return student }
        return runStudent(cleanImages)
    }

    /// The single teacher's output (methods that take exactly one teacher).
    public var teacher: ModelOutput { teachers[0] }

    /// The label term of `logits` `[B, K]`: cross-entropy over the labelled samples only (with the config's
    /// label smoothing), divided as `ceReduction` says, each sample weighted by `sampleWeights` `[B]` when
    /// given. Every method's `ce` goes through here.
    public func crossEntropy(_ logits: Tensor, sampleWeights: [Float]? = nil) -> Tensor {
        let divisor: Int
        switch ceReduction {
        case .batch: divisor = labels.count
        case .labeled: divisor = Swift.max(1, labels.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) })
        }
        return KDTensor.crossEntropy(
            logits, labels: labels, labelSmoothing: labelSmoothing, divisor: divisor, sampleWeights: sampleWeights)
    }

    /// Cross-entropy of the student's logits against the labels (`crossEntropy(_:)`), weighted.
    public func crossEntropyTerm(weight: Float, name: String = "ce") -> LossTerm {
        LossTerm(name, crossEntropy(student.logits) * weight)
    }
}

/// What a method is built against: the networks (for tap shapes), the run length and the seed.
public struct MethodSetup {
    /// The student being trained.
    public let student: Model
    /// The frozen teachers (empty when none).
    public let teachers: [Model]
    /// Total epochs of the run (`epochs` of the config).
    public let epochs: Int
    /// Seed for any trainable part the method adds.
    public let seed: UInt64
    /// Whether training batches are augmented (teacher caching is then illegal).
    public let augmented: Bool
    /// Labels of the training set in its unshuffled order, `[N]` (crd samples its negatives by class);
    /// negative for the images a run keeps no label for.
    public let trainingLabels: [Int32]
    /// The share of labelled images in a batch, in (0, 1] (1 without `data.labeled`; Mean Teacher's
    /// automatic consistency weight scales with it).
    public let labeledFraction: Double
    /// The training batches re-read with another augmentation draw (mean-teacher's second view); nil
    /// where the runner offers none (cohorts, pipelines, unit tests that do not need it).
    public var trainingViews: TrainingViews?
    /// The student's input normalisation, for attacks in [0, 1] pixel space (ard, rslad); nil where the
    /// runner offers none.
    public var inputSpace: PixelSpace?
    /// The dataset's customary training-time attack (ε, 10 steps of ε/4): what `eps: "auto"` means.
    public var trainingAttack: AttackSettings?
    /// The first teacher's accuracy per class on the validation split, in label order, measured once before
    /// training when a method asks for it (kd's `class_adaptive`, ClassAdaptive.needsTeacherAccuracy); else nil.
    public var teacherValidationAccuracy: [Double]?

    public init(
        student: Model, teachers: [Model], epochs: Int, seed: UInt64, augmented: Bool, trainingLabels: [Int32] = [],
        labeledFraction: Double = 1
    ) {
        (self.student, self.teachers, self.epochs, self.seed, self.augmented) = (student, teachers, epochs, seed, augmented)
        (self.trainingLabels, self.labeledFraction) = (trainingLabels, labeledFraction)
    }

    /// A method error unless every training image has its label: the rule for methods that read labels
    /// beyond their cross-entropy term (dkd's target class, tfkd's virtual teacher, crd's class-aware negatives).
    public func requireEveryLabel(for method: String, reason: String) throws {
        guard labeledFraction < 1 else { return }
        throw MethodError(
            "method.name: \(method) reads every training image's label (\(reason)), but this run keeps labels for "
                + String(format: "%.4g", labeledFraction * 100) + "% of them (data.labeled, data.transfer); "
                + "use a method whose only label term is ce")
    }

    /// The single teacher, or a method error naming the method.
    public func soleTeacher(for method: String) throws -> Model {
        guard let t = teachers.first else { throw MethodError("method.name: \(method) needs a teacher (set teacher.checkpoint)") }
        return t
    }
}

/// The training set as a method may read it again: the images of a batch under another augmentation draw.
public struct TrainingViews {
    /// Batches per epoch (a step's fractional epoch is `epoch + batchIndex / stepsPerEpoch`).
    public let stepsPerEpoch: Int
    /// The images of `indices` `[B, C, H, W]` as batch `batchIndex` of `epoch` under augmentation draw
    /// `stream` (stream 0 is the student's own batch; others are independent draws, repeatable on resume).
    public let images: (_ indices: [Int], _ epoch: Int, _ batchIndex: Int, _ stream: Int) -> Tensor

    public init(
        stepsPerEpoch: Int, images: @escaping (_ indices: [Int], _ epoch: Int, _ batchIndex: Int, _ stream: Int) -> Tensor
    ) {
        (self.stepsPerEpoch, self.images) = (stepsPerEpoch, images)
    }
}

/// What a method may read when it makes the student's input for a step.
public struct InputStep {
    /// Labels of the batch, `[B]` (negative: unlabelled).
    public let labels: [Int32]
    /// The frozen teachers' outputs on the clean batch (no tape).
    public let teachers: [ModelOutput]
    /// Epoch (0-based) and batch index within it: with the seed they fix any random draw, so resumes repeat it.
    public let epoch: Int, batchIndex: Int

    public init(labels: [Int32] = [], teachers: [ModelOutput] = [], epoch: Int, batchIndex: Int) {
        (self.labels, self.teachers, self.epoch, self.batchIndex) = (labels, teachers, epoch, batchIndex)
    }
}

/// A distillation method acting on one student.
public protocol DistillationMethod: AnyObject {
    /// Stages in order (a single `train` stage unless the method has a pre-training phase).
    var stages: [Stage] { get }
    /// Extra trainable parts (regressors): trained with the student in its optimizer, not saved with it.
    var extraLayers: [Layer] { get }
    /// What the method needs from the teacher in `stage`.
    func teacherUse(in stage: Stage) -> TeacherUse
    /// What it needs in `stage` at (0-based) `epoch`; methods that drop the teacher mid-run (ESKD) override it.
    func teacherUse(in stage: Stage, epoch: Int) -> TeacherUse
    /// The loss terms of one step.
    func losses(_ step: StepContext) -> [LossTerm]
    /// Whether the frozen teachers normalise with each batch's statistics (`teacher_bn: batch`, ofd's
    /// default) instead of their running ones; their running averages never change either way.
    var teacherBatchStatistics: Bool { get }
    /// State the method keeps across steps that is not trained (crd's memory banks and normalisers): saved
    /// with every resume state as `method.<name>` and restored bit for bit on `--resume`.
    var persistentState: [NamedTensor] { get }
    /// Called once per training step, after the optimizer has applied the step's gradients (crd updates
    /// its memory banks here, once nothing on the tape reads them any more).
    func afterStep()
    /// The student's input in this step, made from the loader's `images` `[B, C, H, W]` (mean-teacher adds
    /// Gaussian noise; ard and rslad attack the student); unchanged by default. When it differs, the step's
    /// `cleanImages` hold the loader's batch.
    func studentInput(_ images: Tensor, _ step: InputStep) -> Tensor
    /// The network the run evaluates, selects as `best` and saves as `latest` (mean-teacher's weight
    /// average); nil: the student. When set, the student is saved as `latest-student` and its accuracy
    /// logged as `student_<monitor>`.
    var evaluatedModel: Model? { get }
    /// Values of the last step logged beside the loss terms as epoch means (mean-teacher's `cons_weight`,
    /// `ema_decay`); read after `afterStep`.
    var loggedValues: [(name: String, value: Double)] { get }
}

extension DistillationMethod {
    public func teacherUse(in stage: Stage, epoch: Int) -> TeacherUse { teacherUse(in: stage) }
    public var stages: [Stage] { [] }
    public var extraLayers: [Layer] { [] }
    public var teacherBatchStatistics: Bool { false }
    public var persistentState: [NamedTensor] { [] }
    public func afterStep() {}
    public func studentInput(_ images: Tensor, _ step: InputStep) -> Tensor { images }
    public var evaluatedModel: Model? { nil }
    public var loggedValues: [(name: String, value: Double)] { [] }
}

/// A bad method parameter or an incompatible teacher/student pair: one line with the key path.
public struct MethodError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
