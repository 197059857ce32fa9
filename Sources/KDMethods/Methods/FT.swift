// FT: Kim, Park & Kwak 2018, "Paraphrasing Complex Network: Network Compression via Factor Transfer": a
// paraphraser (autoencoder) first learns the teacher's last-stage map alone (ft_rec, MSE; the student does
// not run); then, frozen, it gives the teacher's factors, which a translator on the student's map learns.

import KDNN
import KDTensor

/// Factor transfer: a two-stage feature method with a paraphraser (teacher side) and a translator.
public final class FT: DistillationMethod {
    /// How factors are compared.
    public enum Mode: String, Sendable, CaseIterable {
        /// RepDistiller: attention-like maps (channel mean of F², L2-normalised), mean |difference|.
        case code
        /// The paper (torchdistill's FTLoss form): whole factors L2-normalised, L1 distance per sample.
        case paper
    }

    public static let params: [ParamSpec] = [
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels (main stage)"),
        ParamSpec(
            "ft_weight", .number(.nonNegative), default: .absent,
            doc: "weight of the term ft; absent: 200 in mode code (RepDistiller), required in mode paper (its sum differs)"),
        ParamSpec(
            "mode", .string(choices: Mode.allCases.map(\.rawValue)), default: "code",
            doc: "code: channel-mean attention maps of the factors (RepDistiller); paper: whole normalised factors"),
        ParamSpec("rate", .number(.positive), default: 0.5, doc: "k: factor channels ⌊k·C_t⌋ of the paraphraser"),
        ParamSpec(
            "paraphraser_epochs", .integer(.positive), default: 30,
            doc: "epochs of the paraphraser stage, on top of epochs (the student does not run)"),
        ParamSpec(
            "paraphraser_lr", .number(.positive), default: 0.01,
            doc: "constant learning rate of the paraphraser stage (SGD, momentum 0.9, main weight decay)"),
        ParamSpec(
            "student_tap", .string(), default: .absent,
            doc: "student map the translator reads; absent: its last stage output (layer3, block3, lenet5 conv2)"),
        ParamSpec(
            "teacher_tap", .string(), default: .absent,
            doc: "teacher map the paraphraser reads; absent: its last stage output"),
        TeacherCaching.featuresParam,
    ]

    public static let entry = MethodEntry(
        name: "ft", citation: "Kim et al. 2018 (FT)",
        summary: "a paraphraser learns factors of the teacher's last map; a translator on the student's learns them",
        params: params, combine: .addOn, shape: .single { p, setup in try FT(p, setup) })

    /// Name of the paraphraser stage.
    public static let paraphraserStage = "paraphraser"

    /// The student and teacher taps.
    public let studentTap: String, teacherTap: String
    public let paraphraser: Paraphraser
    public let translator: Translator
    public let stages: [Stage]
    public let mode: Mode
    let ceWeight: Float, ftWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "ft")
        try TeacherCaching.check(p, setup)
        let modeName = try p.string("mode")
        guard let mode = Mode(rawValue: modeName) else {
            throw MethodError("\(p.keyPath("mode")): expected one of code, paper, found \"\(modeName)\"")
        }
        self.mode = mode
        guard let weight = try p.optionalDouble("ft_weight") ?? (mode == .code ? 200 : nil) else {
            throw MethodError("\(p.keyPath("ft_weight")): missing; mode paper sums over C·H·W per sample, set a weight")
        }
        (ceWeight, ftWeight) = (Float(try p.double("ce_weight")), Float(weight))
        let s = FeatureTaps(setup.student, role: "student"), t = FeatureTaps(teacher, role: "teacher")
        let (sKey, tKey) = (p.keyPath("student_tap"), p.keyPath("teacher_tap"))
        guard let sTap = try p.optionalString("student_tap") ?? s.stageOutputs.last else {
            throw MethodError("\(sKey): \(s.label) has no spatial taps; ft needs a [C, H, W] feature map")
        }
        guard let tTap = try p.optionalString("teacher_tap") ?? t.stageOutputs.last else {
            throw MethodError("\(tKey): \(t.label) has no spatial taps; ft needs a [C, H, W] feature map")
        }
        (studentTap, teacherTap) = (sTap, tTap)
        let (ss, ts) = (try s.require(sTap, key: sKey, spatial: true), try t.require(tTap, key: tKey, spatial: true))
        let rate = try p.double("rate")
        let k = Int(Double(ts[0]) * rate)  // RepDistiller's int(C·k)
        guard k >= 1 else {
            throw MethodError("\(p.keyPath("rate")): ⌊\(rate)·\(ts[0])⌋ = \(k) factor channels; expected at least 1")
        }
        paraphraser = Paraphraser(channels: ts[0], factorChannels: k, seed: setup.seed ^ 0xF7_0001)
        translator = Translator(channels: ss[0], factorChannels: k, seed: setup.seed ^ 0xF7_0002)
        stages = [
            Stage(
                Self.paraphraserStage, epochs: try p.int("paraphraser_epochs"), initialization: true, studentRuns: false,
                learningRate: try p.double("paraphraser_lr")),
            Stage("train", epochs: setup.epochs),
        ]
    }

    /// The paraphraser (trained in its stage, then receiving no gradient) and the translator (no
    /// gradient in the paraphraser stage), so each is updated only in its own stage.
    public var extraLayers: [Layer] { [paraphraser, translator] }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features([teacherTap]) }

    /// Paraphraser stage: `[ft_rec]`; then `[ce, ft]`.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let t = stepTap(step.teacher, teacherTap, method: "ft").detached()
        guard step.stage.name != Self.paraphraserStage else {
            return [LossTerm("ft_rec", Self.reconstruction(teacher: t, paraphraser: paraphraser))]
        }
        let factorT = noGrad { paraphraser.encode(t) }
        let factorS = translator(stepTap(step.student, studentTap, method: "ft"), ForwardContext(training: true))
        return [
            step.crossEntropyTerm(weight: ceWeight),
            LossTerm("ft", Self.loss(student: factorS, teacher: factorT, mode: mode) * ftWeight),
        ]
    }

    /// The paraphraser stage's term: MSE(decode(encode(t)), t), the mean over `B·C·H·W`.
    public static func reconstruction(teacher t: Tensor, paraphraser: Paraphraser) -> Tensor {
        mseLoss(paraphraser.decode(paraphraser.encode(t)), t)
    }

    /// The factor term for factors `[B, kC, H, W]` (the larger map average-pooled to the smaller first).
    /// code: the mean over `B·HW` of |a(F_s) − a(F_t)|, a(F) the channel mean of F², flattened and
    /// L2-normalised (ε 1e-12); paper: Σ over `C·H·W` of |F_s/‖F_s‖ − F_t/‖F_t‖| per sample, ÷ B.
    public static func loss(student fs: Tensor, teacher ft: Tensor, mode: Mode) -> Tensor {
        let (s, t) = FeatureMaps.matchSpatial(fs, ft.detached())
        switch mode {
        case .code:
            return (FeatureMaps.attention(s) - FeatureMaps.attention(t)).abs().mean()
        case .paper:
            let ns = s.flattened(from: 1).l2Normalized(axis: 1), nt = t.flattened(from: 1).l2Normalized(axis: 1)
            return (ns - nt).abs().sum() * (1 / Float(s.shape[0]))
        }
    }
}
