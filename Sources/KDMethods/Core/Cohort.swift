// Cohort and Pipeline: the two method shapes beyond one student. A cohort trains several students
// together (DML); a pipeline chains whole runs (born-again generations, teacher assistants).

import KDNN
import KDTensor

/// Several students trained together, each with its own optimizer (Zhang et al. 2018).
public protocol CohortMethod: AnyObject {
    /// The members' architectures, in order (their run subdirectories are `student1`, `student2`, ...).
    var members: [ModelConfig] { get }
    /// true: all outputs computed once per batch; false: update member 1, recompute, update member 2, ...
    var simultaneousUpdate: Bool { get }
    /// What the members need from the teacher (`.none` without one).
    var teacherUse: TeacherUse { get }
    /// Loss terms of member `k`, given every member's current outputs (the method detaches the peers,
    /// so only `outputs[k]` need be on the tape). `step.student` is `outputs[k]`; `step.teachers` holds
    /// the teacher's output when `teacherUse` is not `.none`.
    func losses(member k: Int, outputs: [ModelOutput], step: StepContext) -> [LossTerm]
    /// Throws a config error when the parameters need a teacher and none is `configured` (or the reverse).
    func validateTeacher(configured: Bool) throws
}

extension CohortMethod {
    /// Default: a cohort that uses a teacher needs one configured.
    public func validateTeacher(configured: Bool) throws {
        if teacherUse != .none && !configured {
            throw MethodError("teacher.checkpoint: missing; this cohort method's parameters use a teacher")
        }
    }
}

/// Where a pipeline run takes its teacher from.
public enum PipelineTeacher: Equatable, Sendable {
    /// The configured `teacher` checkpoint.
    case configured
    /// An earlier run of the pipeline, by name: its last checkpoint, or its best on the validation split
    /// when one is held out (never a checkpoint chosen on the test set).
    case run(String)
    /// No teacher: the run trains on the labels alone.
    case none
}

/// One run of a pipeline: a student trained by plain KD (or from scratch) from a teacher.
public struct PipelineRun: Equatable, Sendable {
    /// Subdirectory and log name (`assistant`, `gen1`).
    public let name: String
    /// The architecture trained.
    public let model: ModelConfig
    /// Its teacher.
    public let teacher: PipelineTeacher
    /// `kd` parameters (T, ce_weight, kd_weight) when there is a teacher.
    public let kdParams: ParamValues
    /// Whether the teacher must have this run's architecture (tfkd's self-training), checked when it loads.
    public let sameArchitecture: Bool
    /// Set for a Noisy Student generation: the teacher pseudo-labels the unlabelled images first, and the
    /// run learns labels and pseudo-labels (`NoisyStudentLoss`) instead of running kd.
    public let selfTraining: PseudoLabeling?

    public init(
        name: String, model: ModelConfig, teacher: PipelineTeacher, kdParams: ParamValues, sameArchitecture: Bool = false,
        selfTraining: PseudoLabeling? = nil
    ) {
        (self.name, self.model, self.teacher, self.kdParams, self.sameArchitecture) = (
            name, model, teacher, kdParams, sameArchitecture
        )
        self.selfTraining = selfTraining
    }
}

/// A chain of runs, each saved and evaluated (Furlanello et al. 2018; Mirzadeh et al. 2020).
public protocol PipelineMethod: AnyObject {
    /// The runs in order; `student` is the config's student, `hasTeacher` whether one is configured.
    func plan(student: ModelConfig, hasTeacher: Bool) throws -> [PipelineRun]
    /// Names of runs whose averaged predictions are also evaluated (empty: none).
    var ensembleRuns: [String] { get }
}
