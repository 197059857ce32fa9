// RSLAD: Zi, Zhao, Ma & Jiang 2021, "Revisiting Adversarial Robustness Distillation: Robust Soft Labels
// Make Student Better": L = adv_weight·KL(p_t(x) ‖ p_s(x')) + nat_weight·KL(p_t(x) ‖ p_s(x)) at T = 1,
// x' = PGD on Σ KL(p_t(x) ‖ p_s(x')) from x + 0.001·N(0, 1): robust soft labels in every term, no labels.

import KDAdversarial
import KDNN
import KDTensor

/// Robust soft-label distillation; needs no labels, so it also runs on a transfer set.
public final class RSLAD: DistillationMethod {
    public static let params: [ParamSpec] =
        [
            ParamSpec(
                "adv_weight", .number(.nonNegative), default: .value(.number(5.0 / 6)), doc: "weight of KL on adversarial images"),
            ParamSpec(
                "nat_weight", .number(.nonNegative), default: .value(.number(1.0 / 6)), doc: "weight of KL on natural images"),
        ] + RobustAttack.params + [TeacherCaching.logitsParam]

    public static let entry = MethodEntry(
        name: "rslad", citation: "Zi et al. 2021",
        summary: "the teacher's soft labels on natural images supervise the student on natural and its own PGD images",
        params: params, shape: .single { p, setup in try RSLAD(p, setup) })

    /// RSLAD's start: x + 0.001·N(0, 1).
    static let start = AttackStart.gaussian(0.001)

    let attack: RobustAttack
    let advWeight: Float, natWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        _ = try setup.soleTeacher(for: "rslad")
        try TeacherCaching.check(p, setup)
        attack = try RobustAttack(p, setup, method: "rslad", start: Self.start)
        (advWeight, natWeight) = (Float(try p.double("adv_weight")), Float(try p.double("nat_weight")))
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .logits }

    /// PGD on the KL from the teacher's soft labels (label-free).
    public func studentInput(_ images: Tensor, _ step: InputStep) -> Tensor {
        let target = noGrad { step.teachers[0].logits.softmax() }
        return attack.perturb(images, .divergence(from: target), step)
    }

    /// `[adv, nat]`; the natural term is a second student pass on the clean batch (skipped at weight 0).
    public func losses(_ step: StepContext) -> [LossTerm] {
        let zt = step.teacher.logits, k = zt.shape[1]
        let adv = attack.reduce(SoftTargets.kd(student: step.student.logits, teacher: zt, temperature: 1), classes: k)
        var terms = [LossTerm("adv", adv * advWeight)]
        if natWeight > 0 {
            let nat = attack.reduce(SoftTargets.kd(student: step.cleanStudent.logits, teacher: zt, temperature: 1), classes: k)
            terms.append(LossTerm("nat", nat * natWeight))
        }
        return terms
    }
}
