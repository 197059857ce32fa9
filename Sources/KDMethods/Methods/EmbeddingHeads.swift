// EmbeddingHeads: the two trainable linear heads of the methods that compare embeddings in a common space
// (cc; crd's heads are of this kind): Linear(D_s → dim) on the student's tap, Linear(D_t → dim) on the
// teacher's, PyTorch's default init, both trained by the student's optimizer (the teacher's backbone is not).

import KDNN
import KDTensor

/// `student_head.{weight, bias}` `[dim, D_s]`, `[dim]` and `teacher_head.{weight, bias}` `[dim, D_t]`, `[dim]`.
public final class EmbeddingHeads: Layer {
    public let student: Linear, teacher: Linear

    /// Heads from flattened sample sizes `studentDim`, `teacherDim` to `dim`, initialised from `seed`.
    public init(studentDim: Int, teacherDim: Int, dim: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        student = Linear(studentDim, dim, rng: &rng)
        teacher = Linear(teacherDim, dim, rng: &rng)
    }

    /// The heads for the embedding taps `taps` of two models (sample sizes read from the models' tap shapes).
    convenience init(_ taps: EmbeddingTaps, student: Model, teacher: Model, dim: Int, seed: UInt64) {
        func size(_ model: Model, _ tap: String) -> Int {
            (model.tapShapes(batch: 1)[tap] ?? [1, 1]).dropFirst().reduce(1, *)
        }
        self.init(studentDim: size(student, taps.student), teacherDim: size(teacher, taps.teacher), dim: dim, seed: seed)
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        student.namedTensors(prefix: prefix + "student_head.") + teacher.namedTensors(prefix: prefix + "teacher_head.")
    }
}
