// LabelsOnly: the objective of training without a teacher: cross-entropy with the labels (with the
// config's label smoothing). Teacher training and from-scratch baselines use it.

import KDMethods

/// Plain supervised training.
public final class LabelsOnly: DistillationMethod {
    public init() {}
    public func teacherUse(in stage: Stage) -> TeacherUse { .none }
    public func losses(_ step: StepContext) -> [LossTerm] { [step.crossEntropyTerm(weight: 1)] }
}
