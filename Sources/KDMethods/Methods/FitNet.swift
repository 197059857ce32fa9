// FitNet: Romero, Ballas, Kahou, Chassang, Gatta & Bengio 2015, "FitNets: Hints for Thin Deep Nets".
// hint = MSE(r(f_s), f_t), the mean over all elements, r a HintRegressor on the student's guided tap.
// two-stage (the paper): stage `hint`: hint_weight·hint; stage `train`: ce_weight·CE + kd_weight·T²·KL.
// one-stage (RepDistiller): L = ce_weight·CE + hint_weight·hint (+ kd_weight·T²·KL) from the first epoch.

import KDNN
import KDTensor

/// Hint-based training: the student's middle layer, through a regressor, mimics the teacher's.
public final class FitNet: DistillationMethod {
    /// Declared parameters (`kdistill methods` prints them).
    public static let params: [ParamSpec] = [
        ParamSpec(
            "mode", .string(choices: ["two-stage", "one-stage"]), default: "two-stage",
            doc: "two-stage: hint stage then kd (the paper); one-stage: CE + hint_weight·hint throughout (RepDistiller)"),
        ParamSpec(
            "hint_epochs", .integer(.positive), default: .absent,
            doc: "epochs of the hint stage (two-stage only); absent: max(1, epochs/3)"),
        ParamSpec(
            "student_tap", .string(), default: .absent,
            doc: "guided tap of the student; absent: its middle (layer2; block2 for WRNs, conv2 for lenet5, hidden⌈L/2⌉ for MLPs)"
        ),
        ParamSpec("teacher_tap", .string(), default: .absent, doc: "hint tap of the teacher; absent: its middle, as student_tap"),
        ParamSpec(
            "hint_weight", .number(.nonNegative), default: 100,
            doc: "weight of the hint MSE (mean over all elements) in both modes"),
        ParamSpec("T", .number(.positive), default: 4, doc: "temperature of the KD term"),
        ParamSpec(
            "ce_weight", .number(.nonNegative), default: .absent,
            doc: "weight of cross-entropy; absent: 0.1 in the two-stage train stage (as kd), 1 in one-stage"),
        ParamSpec(
            "kd_weight", .number(.nonNegative), default: .absent,
            doc: "weight of the KD term; absent: 0.9 in the two-stage train stage (as kd), 0 in one-stage"),
        TeacherCaching.featuresParam,
    ]

    /// The registry entry.
    public static let entry = MethodEntry(
        name: "fitnet", citation: "Romero et al. 2015",
        summary: "a regressor on the student's middle layer mimics the teacher's (hint stage, then kd)",
        params: params, shape: .single { p, setup in try FitNet(p, setup) })

    /// The regressor from the student's guided tap to the teacher's hint tap (trained with the student).
    public let regressor: HintRegressor
    /// Guided (student) and hint (teacher) tap names.
    public let studentTap: String, teacherTap: String
    /// `[hint, train]` in two-stage mode; `[]` (one train stage) in one-stage mode.
    public let stages: [Stage]
    let twoStage: Bool
    let hintWeight: Float, temperature: Float, ceWeight: Float, kdWeight: Float
    /// The regressor's BN always runs on batch statistics: the method is used only in training steps.
    let context = ForwardContext(training: true)

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "fitnet")
        try TeacherCaching.check(p, setup)
        twoStage = try p.string("mode") == "two-stage"
        hintWeight = Float(try p.double("hint_weight"))
        temperature = Float(try p.double("T"))
        ceWeight = Float(try p.optionalDouble("ce_weight") ?? (twoStage ? 0.1 : 1))
        kdWeight = Float(try p.optionalDouble("kd_weight") ?? (twoStage ? 0.9 : 0))

        let hintEpochs = try p.optionalInt("hint_epochs")
        if twoStage {
            let hint = hintEpochs ?? max(1, setup.epochs / 3)
            guard hint < setup.epochs else {
                throw MethodError(
                    "\(p.keyPath("hint_epochs")): a two-stage fitnet needs fewer hint epochs than the run's "
                        + "\(setup.epochs) (the train stage needs at least one), found \(hint); raise epochs or use mode one-stage"
                )
            }
            stages = [Stage("hint", epochs: hint), Stage("train", epochs: setup.epochs - hint)]
        } else {
            if let h = hintEpochs {
                throw MethodError("\(p.keyPath("hint_epochs")): only used with mode two-stage, found \(h) with mode one-stage")
            }
            stages = []
        }

        let s = FeatureTaps(setup.student, role: "student"), t = FeatureTaps(teacher, role: "teacher")
        let (sKey, tKey) = (p.keyPath("student_tap"), p.keyPath("teacher_tap"))
        guard let sTap = try p.optionalString("student_tap") ?? s.middle else {
            throw MethodError("\(sKey): \(s.label) has no taps")
        }
        guard let tTap = try p.optionalString("teacher_tap") ?? t.middle else {
            throw MethodError("\(tKey): \(t.label) has no taps")
        }
        let (sShape, tShape) = (try s.require(sTap, key: sKey), try t.require(tTap, key: tKey))
        let postReLU = t.isPostReLU(tTap)
        guard let r = HintRegressor(student: sShape, teacher: tShape, relu: postReLU, seed: setup.seed ^ 0xF17E_7E61_5EED) else {
            throw MethodError(
                "\(sKey): no regressor maps \(s.label) tap '\(sTap)' \(sShape) to \(t.label) tap '\(tTap)' "
                    + "\(tShape) (fitnet's regressor needs a teacher feature map no larger in H and W, or a vector for a vector)")
        }
        (regressor, studentTap, teacherTap) = (r, sTap, tTap)
    }

    /// The regressor, trained in the student's optimizer in every mode (it gets no gradient in stage `train`).
    public var extraLayers: [Layer] { [regressor] }

    /// Features in the hint stage and in one-stage mode; logits in the two-stage `train` stage.
    public func teacherUse(in stage: Stage) -> TeacherUse {
        twoStage && stage.name != "hint" ? .logits : .features([teacherTap])
    }

    /// `[hint]` in stage hint, `[ce, kd]` in stage train; one-stage: `[ce, hint]` plus `kd` when kd_weight > 0.
    public func losses(_ step: StepContext) -> [LossTerm] {
        if twoStage {
            return step.stage.name == "hint" ? [hintTerm(step)] : [step.crossEntropyTerm(weight: ceWeight), kdTerm(step)]
        }
        return [step.crossEntropyTerm(weight: ceWeight), hintTerm(step)] + (kdWeight > 0 ? [kdTerm(step)] : [])
    }

    /// Mean over all elements of (r(f_s) − f_t)²; `regressed` `[B, C, H, W]` (or `[B, D]`), `hint` the same shape.
    public static func hintLoss(regressed: Tensor, hint: Tensor) -> Tensor { mseLoss(regressed, hint) }

    func hintTerm(_ step: StepContext) -> LossTerm {
        let guided = stepTap(step.student, studentTap, method: "fitnet")
        let hint = noGrad { stepTap(step.teacher, teacherTap, method: "fitnet").detached() }
        return LossTerm("hint", Self.hintLoss(regressed: regressor(guided, context), hint: hint) * hintWeight)
    }

    func kdTerm(_ step: StepContext) -> LossTerm {
        LossTerm(
            "kd", SoftTargets.kd(student: step.student.logits, teacher: step.teacher.logits, temperature: temperature) * kdWeight)
    }
}
