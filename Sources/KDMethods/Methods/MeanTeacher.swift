// Mean Teacher: Tarvainen & Valpola 2017, "Mean teachers are better role models". The teacher is an
// exponential moving average of the student's weights, run on its own augmented and noised view of the
// batch: L = ce_weight·CE + w(t)·consistency(z_s, z_ema) (+ kd_weight·Hinton KD from a frozen teacher).

import KDNN
import KDTensor

/// Consistency with a weight-averaged copy of the student; best and latest checkpoints hold the average.
public final class MeanTeacher: DistillationMethod {
    public static let params: [ParamSpec] = [
        ParamSpec(
            "consistency", .string(choices: Consistency.allCases.map(\.rawValue)), default: "mse",
            doc: "mse: squared distance of the two softmaxes over K; kl: KL(softmax(z_ema) ‖ softmax(z_s))"),
        ParamSpec(
            "consistency_weight", .numberOr("auto", .nonNegative), default: "auto",
            doc: "w_max, the consistency weight after the ramp-up; auto: 100 · the labelled fraction"),
        ParamSpec(
            "rampup_epochs", .number(.nonNegative), default: 3,
            doc: "L: the weight is w_max·exp(−5(1 − t/L)²) at fractional epochs t < L (0: no ramp-up)"),
        ParamSpec(
            "ema_decay", .number(.fraction), default: 0.999,
            doc: "α after the ramp-up: θ_ema ← α·θ_ema + (1 − α)·θ after each step, α ≤ 1 − 1/(step + 1)"),
        ParamSpec("ema_decay_rampup", .number(.fraction), default: 0.99, doc: "α during the ramp-up"),
        ParamSpec(
            "input_noise", .number(.nonNegative), default: 0.15,
            doc: "std of the Gaussian noise on each model's input, in normalised units"),
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
        ParamSpec(
            "kd_weight", .number(.nonNegative), default: 0,
            doc: "weight of Hinton KD (T²-scaled) from the frozen teacher; > 0 needs teacher.checkpoint"),
        ParamSpec("T", .number(.positive), default: 4, doc: "temperature of the KD term"),
    ]

    public static let entry = MethodEntry(
        name: "mean-teacher", citation: "Tarvainen & Valpola 2017",
        summary: "consistency with an exponential moving average of the student's weights, which is the model kept",
        params: params, teacher: .optional, shape: .single { p, setup in try MeanTeacher(p, setup) })

    /// The weight average: evaluated, selected and saved in place of the student.
    public let ema: EMAModel
    public let consistency: Consistency
    public let schedule: MeanTeacherSchedule
    let ceWeight: Float, kdWeight: Float, temperature: Float, inputNoise: Float
    let views: TrainingViews
    let seed: UInt64
    /// The last step's fractional epoch, until `afterStep` averages the weights the optimizer produced.
    private var pendingEpoch: Double?
    /// The last step's consistency weight and EMA decay (logged as `cons_weight`, `ema_decay`).
    private var weight = 0.0, decay = 0.0

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let name = try p.string("consistency")
        guard let consistency = Consistency(rawValue: name) else {
            throw MethodError("\(p.keyPath("consistency")): expected one of mse, kl, found \"\(name)\"")
        }
        self.consistency = consistency
        let maxWeight =
            p["consistency_weight"] == .string("auto")
            ? 100 * setup.labeledFraction : try p.double("consistency_weight")
        schedule = MeanTeacherSchedule(
            maxWeight: maxWeight, rampupEpochs: try p.double("rampup_epochs"), emaDecay: try p.double("ema_decay"),
            rampupDecay: try p.double("ema_decay_rampup"))
        (ceWeight, kdWeight) = (Float(try p.double("ce_weight")), Float(try p.double("kd_weight")))
        (temperature, inputNoise) = (Float(try p.double("T")), Float(try p.double("input_noise")))
        if kdWeight > 0 && setup.teachers.isEmpty {
            throw MethodError("\(p.keyPath("kd_weight")): \(kdWeight) needs a teacher (set teacher.checkpoint, or kd_weight 0)")
        }
        guard let views = setup.trainingViews else {
            throw MethodError("method.name: mean-teacher needs the training batches of a single-student run")
        }
        self.views = views
        seed = setup.seed ^ 0x3EA7_7EAC_4E25
        ema = try EMAModel(copying: setup.student)
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { kdWeight > 0 ? .logits : .none }
    public var persistentState: [NamedTensor] { ema.state(prefix: "mean_teacher.") }
    public var evaluatedModel: Model? { ema.model }
    public var loggedValues: [(name: String, value: Double)] { [("cons_weight", weight), ("ema_decay", decay)] }

    /// The loader's images plus the student's own noise draw.
    public func studentInput(_ images: Tensor, _ step: InputStep) -> Tensor {
        noised(images, draw: 0, epoch: step.epoch, batchIndex: step.batchIndex)
    }

    /// `[ce, cons]`, and `kd` when kd_weight > 0. The EMA model runs (train mode, no tape) on a second
    /// augmentation draw of the batch with its own noise.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let t = Double(step.epoch) + Double(step.batchIndex) / Double(views.stepsPerEpoch)
        let view = views.images(step.indices, step.epoch, step.batchIndex, 1)
        let input = noised(view, draw: 1, epoch: step.epoch, batchIndex: step.batchIndex)
        ema.context.rng = generator(draw: 2, epoch: step.epoch, batchIndex: step.batchIndex)
        let zEMA = noGrad { ema.model.forward(input, ema.context).logits }
        weight = schedule.consistencyWeight(atEpoch: t)
        pendingEpoch = t
        var terms = [
            step.crossEntropyTerm(weight: ceWeight),
            LossTerm("cons", consistency.loss(student: step.student.logits, ema: zEMA) * Float(weight)),
        ]
        if kdWeight > 0 {
            let kd = SoftTargets.kd(student: step.student.logits, teacher: step.teacher.logits, temperature: temperature)
            terms.append(LossTerm("kd", kd * kdWeight))
        }
        return terms
    }

    /// Averages the weights the optimizer has just produced into the EMA model.
    public func afterStep() {
        guard let t = pendingEpoch else { return }
        decay = schedule.decay(step: ema.stepCount + 1, atEpoch: t)
        ema.update(alpha: Float(decay))
        pendingEpoch = nil
    }

    /// `images` plus N(0, input_noise²) noise of draw `draw` (0 student, 1 EMA) of the step: the same on resume.
    func noised(_ images: Tensor, draw: UInt64, epoch: Int, batchIndex: Int) -> Tensor {
        guard inputNoise > 0 else { return images }
        var rng = generator(draw: draw, epoch: epoch, batchIndex: batchIndex)
        let out = Tensor.randomNormal(images.shape, std: inputNoise, rng: &rng)
        let (o, x) = (out.data, images.data)
        for i in 0..<out.count { o[i] += x[i] }
        return out
    }

    /// The generator of draw `draw` (0, 1: input noise; 2: the EMA model's dropout) in batch `batchIndex` of `epoch`.
    func generator(draw: UInt64, epoch: Int, batchIndex: Int) -> SeededGenerator {
        SeededGenerator(
            seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(batchIndex) &* 0xBF58_476D_1CE4_E5B9)
                ^ ((draw + 1) &* 0x94D0_49BB_1331_11EB))
    }
}
