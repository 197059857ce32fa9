// SP: Tung & Mori 2019, "Similarity-Preserving Knowledge Distillation":
// G = row-normalised Q·Qᵀ of the features flattened to Q `[B, C·H·W]`;
// L = ce_weight·CE + gamma · Σ_pairs ‖G_t − G_s‖²_F / B².

import KDNN
import KDTensor

/// Relation-based distillation: the student matches the teacher's batch similarity matrices.
public final class SP: DistillationMethod {
    public static let params: [ParamSpec] = [
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
        ParamSpec("gamma", .number(.nonNegative), default: 3000, doc: "weight of the similarity term sp"),
        ParamSpec(
            "student_taps", .list(.string()), default: .absent,
            doc:
                "student taps, paired in order with teacher_taps; absent: the last stage (layer3, block3; lenet5 conv2; MLP last hidden)"
        ),
        ParamSpec(
            "teacher_taps", .list(.string()), default: .absent,
            doc: "teacher taps, as many as student_taps; absent: chosen as for the student"),
        TeacherCaching.featuresParam,
    ]

    public static let entry = MethodEntry(
        name: "sp", citation: "Tung & Mori 2019",
        summary: "match the batch's row-normalised Gram matrices of the last stage's features",
        params: params, combine: .addOn, shape: .single { p, setup in try SP(p, setup) })

    /// Paired student and teacher tap names.
    public let studentTaps: [String], teacherTaps: [String]
    let ceWeight: Float, gamma: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "sp")
        try TeacherCaching.check(p, setup)
        ceWeight = Float(try p.double("ce_weight"))
        gamma = Float(try p.double("gamma"))
        studentTaps = p.contains("student_taps") ? try p.strings("student_taps") : [Self.defaultTap(setup.student)]
        teacherTaps = p.contains("teacher_taps") ? try p.strings("teacher_taps") : [Self.defaultTap(teacher)]
        if studentTaps.isEmpty {
            throw MethodError("\(p.keyPath("student_taps")): expected at least one tap, found an empty list")
        }
        guard studentTaps.count == teacherTaps.count else {
            throw MethodError(
                "\(p.keyPath("teacher_taps")): expected \(studentTaps.count) taps to pair with student_taps, found \(teacherTaps.count)"
            )
        }
        for s in studentTaps { try requireTap(setup.student, s, role: "student", key: p.keyPath("student_taps")) }
        for t in teacherTaps { try requireTap(teacher, t, role: "teacher", key: p.keyPath("teacher_taps")) }
    }

    /// The last stage's output: `layer3` (ResNets), `block3` (WRNs), `conv2` (LeNet-5), else the tap
    /// just before `logits` (an MLP's last hidden layer).
    public static func defaultTap(_ model: Model) -> String {
        let names = model.tapNames
        if let stage = ["layer3", "block3", "conv2"].first(where: names.contains) { return stage }
        if let i = names.firstIndex(of: "logits"), i > 0 { return names[i - 1] }
        return names.last ?? "layer3"
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features(Set(teacherTaps)) }

    public func losses(_ step: StepContext) -> [LossTerm] {
        let s = studentTaps.compactMap { step.student.taps[$0] }
        let t = teacherTaps.compactMap { step.teacher.taps[$0] }
        var terms = [step.crossEntropyTerm(weight: ceWeight)]
        if s.count == studentTaps.count && t.count == teacherTaps.count {
            terms.append(LossTerm("sp", Self.loss(student: s, teacher: t) * gamma))
        }
        return terms
    }

    /// Σ_pairs ‖G_t − G_s‖²_F / B² for paired features `[B, ...]` (C, H, W may differ; B must match).
    /// The teacher side is frozen.
    public static func loss(student: [Tensor], teacher: [Tensor]) -> Tensor {
        precondition(student.count == teacher.count && !student.isEmpty, "SP.loss: \(student.count) vs \(teacher.count) features")
        var total: Tensor?
        for (fs, ft) in zip(student, teacher) {
            let gt = noGrad { FeatureMaps.similarity(ft) }  // [B, B]
            let term = mseLoss(FeatureMaps.similarity(fs), gt)  // mean of B² squared entries
            total = total.map { $0 + term } ?? term
        }
        return total ?? Tensor(0)
    }
}
