// EmbeddingTaps: the one embedding tap pair of the relation methods that read a vector per sample
// (rkd, pkt): their two parameters, the default (pool, else the layer before the logits) and the checks.

import KDNN

/// The student and teacher embedding taps of a relation method.
struct EmbeddingTaps {
    /// `student_tap` and `teacher_tap`, declared alike by every method that reads one embedding.
    static let params: [ParamSpec] = [
        ParamSpec(
            "student_tap", .string(), default: .absent,
            doc: "student embedding tap, flattened; absent: pool, or the tap before logits (MLP: last hidden, lenet5: fc2)"),
        ParamSpec(
            "teacher_tap", .string(), default: .absent,
            doc: "teacher embedding tap, flattened; absent: chosen as for the student"),
    ]

    let student: String, teacher: String

    /// The configured taps, or each network's default, checked against both networks.
    init(_ p: ParamValues, student model: Model, teacher: Model) throws {
        student = try p.optionalString("student_tap") ?? Self.defaultTap(model)
        self.teacher = try p.optionalString("teacher_tap") ?? Self.defaultTap(teacher)
        try requireTap(model, student, role: "student", key: p.keyPath("student_tap"))
        try requireTap(teacher, self.teacher, role: "teacher", key: p.keyPath("teacher_tap"))
    }

    /// The embedding read by default: `pool`, else the tap just before `logits` (the penultimate layer).
    static func defaultTap(_ model: Model) -> String {
        let names = model.tapNames
        if names.contains("pool") { return "pool" }
        if let i = names.firstIndex(of: "logits"), i > 0 { return names[i - 1] }
        return names.last ?? "pool"
    }
}
