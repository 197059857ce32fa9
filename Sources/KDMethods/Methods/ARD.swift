// ARD: Goldblum, Fowl, Feizi & Goldstein 2020, "Adversarially Robust Distillation":
// L = ce_weight·CE(y, z_s(x)) + kd_weight·T²·KL(softmax(z_t(x)/T) ‖ softmax(z_s(x')/T)), x' = PGD on
// CE(z_s(x'), y) against the student (evaluation mode); the teacher and the CE term see natural x.

import KDAdversarial
import KDNN
import KDTensor

/// Robust soft targets: the student matches the teacher's clean outputs on its own adversarial examples.
public final class ARD: DistillationMethod {
    public static let params: [ParamSpec] =
        [
            ParamSpec("T", .number(.positive), default: 30, doc: "softmax temperature (the reference code's 30)"),
            ParamSpec("kd_weight", .number(.nonNegative), default: 1, doc: "weight of the T²-scaled adversarial KL term"),
            ParamSpec("ce_weight", .number(.nonNegative), default: 0, doc: "weight of cross-entropy on natural images"),
        ] + RobustAttack.params + [TeacherCaching.logitsParam]

    public static let entry = MethodEntry(
        name: "ard", citation: "Goldblum et al. 2020",
        summary: "teacher's soft targets on natural images, student on its own PGD examples (robust distillation)",
        params: params, shape: .single { p, setup in try ARD(p, setup) })

    let attack: RobustAttack
    let temperature: Float, kdWeight: Float, ceWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        _ = try setup.soleTeacher(for: "ard")
        try setup.requireEveryLabel(for: "ard", reason: "its attack ascends the cross-entropy with each image's label")
        try TeacherCaching.check(p, setup)
        attack = try RobustAttack(p, setup, method: "ard", start: .uniform)
        temperature = Float(try p.double("T"))
        (kdWeight, ceWeight) = (Float(try p.double("kd_weight")), Float(try p.double("ce_weight")))
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .logits }

    /// PGD on the student's cross-entropy.
    public func studentInput(_ images: Tensor, _ step: InputStep) -> Tensor {
        attack.perturb(images, .crossEntropy(step.labels), step)
    }

    /// `[kd]`, and `ce` on the natural batch when ce_weight > 0 (a second student pass).
    public func losses(_ step: StepContext) -> [LossTerm] {
        let zs = step.student.logits, k = zs.shape[1]
        let kl = SoftTargets.kd(student: zs, teacher: step.teacher.logits, temperature: temperature)
        var terms = [LossTerm("kd", attack.reduce(kl, classes: k) * kdWeight)]
        if ceWeight > 0 { terms.insert(LossTerm("ce", step.crossEntropy(step.cleanStudent.logits) * ceWeight), at: 0) }
        return terms
    }
}
