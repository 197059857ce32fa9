// ExperimentConfig: the typed, fully resolved experiment config (teacher training and
// distillation share it). Decoding is in ExperimentConfig+Decode.swift, the resolved JSON in
// ExperimentConfig+Encode.swift, per-command checks in ExperimentConfig+Validate.swift, the
// sections (data, optimizer, ...) in ConfigSections.swift.

import KDData
import KDMethods

/// CIFAR-100 label set.
public enum LabelGranularity: String, CaseIterable, Sendable {
    /// 100 classes.
    case fine
    /// 20 superclasses.
    case coarse
}

/// Optimizers a config can name.
public enum OptimizerName: String, CaseIterable, Sendable {
    /// SGD with momentum.
    case sgd
    /// Adam (Kingma & Ba, 2015).
    case adam
    /// AdamW (Loshchilov & Hutter, 2019): decoupled weight decay.
    case adamw
}

/// Learning-rate schedules a config can name.
public enum ScheduleName: String, CaseIterable, Sendable {
    /// The peak rate throughout.
    case constant
    /// Times gamma every step_size epochs.
    case step
    /// Times gamma after each milestone.
    case multistep
    /// Cosine annealing to min_lr.
    case cosine
}

/// A resolved experiment config.
public struct ExperimentConfig: Equatable, Sendable {
    /// Where it came from (file path), prefixed to errors; not part of the resolved JSON.
    public var source: String
    /// `name` (default: the file's base name).
    public var name: String
    /// `seed`.
    public var seed: Int
    /// `threads` (nil: all cores).
    public var threads: Int?
    /// `description`.
    public var description: String?
    /// `data`.
    public var data: DataConfig
    /// `model`: trained by train-teacher.
    public var model: ModelConfig?
    /// `teacher`: used by distill.
    public var teacher: TeacherConfig?
    /// `student`: trained by distill.
    public var student: ModelConfig?
    /// `method`: used by distill.
    public var method: MethodConfig?
    /// `optimizer`.
    public var optimizer: OptimizerConfig
    /// `schedule`.
    public var schedule: ScheduleConfig
    /// `epochs` (≥ 1).
    public var epochs: Int
    /// `batch_size` (≥ 1).
    public var batchSize: Int
    /// `eval_batch_size` (≥ 1).
    public var evalBatchSize: Int
    /// `label_smoothing` in [0, 1).
    public var labelSmoothing: Double
    /// `stop_on_nonfinite`.
    public var stopOnNonfinite: Bool
    /// `output`.
    public var output: OutputConfig
    /// `adversarial`: train-teacher on attacks against the model (nil: clean training).
    public var adversarial: AdversarialConfig?
    /// `evaluation`: robustness figures after training (nil: none).
    public var evaluation: EvaluationConfig?
    /// `quantize`: train-teacher's quantization-aware training (distill reads `method.quantize`).
    public var quantize: QuantizeMode = .none
}
