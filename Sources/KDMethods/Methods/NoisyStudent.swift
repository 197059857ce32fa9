// NoisyStudent: Xie, Luong, Hovy & Le 2020, "Self-training with Noisy Student improves ImageNet
// classification". The teacher pseudo-labels the unlabelled images (clean, eval mode); an equal or
// larger student trains from scratch on labelled + pseudo-labelled images with noise; it then teaches
// the next generation. Loss per step (as the authors' `data_loss`): CE_ls(y, z_l) + r·H(q, z_u), each
// term the mean over its own part of the batch (b_l labelled, r·b_l pseudo-labelled images).

import KDNN
import KDTensor

/// Noisy Student self-training over `generations` runs (Xie et al. 2020).
public final class NoisyStudent: PipelineMethod {
    /// The `noisy-student` parameters (beyond.md 1.3; defaults from the authors' SVHN script).
    public static let params: [ParamSpec] = [
        ParamSpec("generations", .integer(.positive), default: 2, doc: "student generations after the teacher"),
        ParamSpec(
            "students", .list(.model), default: .absent,
            doc: "one architecture per generation, each as large as the last (absent: `student` every time)"),
        ParamSpec(
            "pseudo", .string(choices: ["soft", "hard"]), default: "soft", doc: "soft targets softmax(z/T) or one-hot argmax"),
        ParamSpec("T", .number(.positive), default: 1, doc: "temperature of soft pseudo-labels"),
        ParamSpec("threshold", .number(.fraction), default: 0.3, doc: "drop images whose top softmax probability is lower"),
        ParamSpec("balance", .boolean, default: true, doc: "equal pseudo-labelled images per predicted class"),
        ParamSpec(
            "per_class", .integer(.positive), default: .absent,
            doc: "images per predicted class when balancing (absent: pool size / classes)"),
        ParamSpec(
            "unlabeled_ratio", .integer(.positive), default: 5,
            doc: "pseudo-labelled images per labelled image in a batch (r)"),
        ParamSpec(
            "label_smoothing", .number(.fraction), default: 0.1, doc: "smoothing of every target, labels and pseudo-labels"),
        ParamSpec(
            "head_dropout", .number(.fraction), default: 0.5,
            doc: "dropout on the classifier's input of a student whose model sets no noise of its own"),
        ParamSpec(
            "stochastic_depth", .number(NumberBounds(min: 0, minInclusive: false, max: 1)), default: 0.8,
            doc: "survival of the last residual block of such a student (residual models only)"),
    ]

    /// The registry entry.
    public static let entry = MethodEntry(
        name: "noisy-student", citation: "Xie et al. 2020",
        summary: "self-training: the teacher pseudo-labels the unlabelled images, a noised student learns both, then teaches",
        params: params, teacher: .required, shape: .pipeline { p in try NoisyStudent(p) })

    public let generations: Int
    public let students: [ModelConfig]?
    public let pseudoLabels: PseudoLabeling
    /// The noise of a student whose model object sets none.
    let headDropout: Double, stochasticDepth: Double

    init(_ p: ParamValues) throws {
        generations = try p.int("generations")
        students = p.contains("students") ? try p.models("students") : nil
        if let students, students.count != generations {
            throw MethodError("method.students: expected \(generations) models (one per generation), found \(students.count)")
        }
        (headDropout, stochasticDepth) = (try p.double("head_dropout"), try p.double("stochastic_depth"))
        pseudoLabels = PseudoLabeling(
            hard: try p.string("pseudo") == "hard", temperature: Float(try p.double("T")),
            threshold: Float(try p.double("threshold")), balance: try p.bool("balance"), perClass: try p.optionalInt("per_class"),
            unlabeledRatio: try p.int("unlabeled_ratio"), labelSmoothing: Float(try p.double("label_smoothing")))
    }

    /// `generation1..N`: generation 1 learns from the configured teacher, each later one from the one before.
    public func plan(student: ModelConfig, hasTeacher: Bool) throws -> [PipelineRun] {
        guard hasTeacher else {
            throw MethodError("teacher.checkpoint: noisy-student needs a teacher trained on the labels (generation 0)")
        }
        return (1...generations).map { g in
            PipelineRun(
                name: "generation\(g)", model: noised(students?[g - 1] ?? student),
                teacher: g == 1 ? .configured : .run("generation\(g - 1)"),
                kdParams: ParamValues(path: "method"), selfTraining: pseudoLabels)
        }
    }

    /// The student with the method's noise unless its model object sets noise of its own: head dropout, and
    /// stochastic depth on residual models (others have no residual branch to drop).
    func noised(_ model: ModelConfig) -> ModelConfig {
        guard model.hasDefaultNoise else { return model }
        var m = model
        m.headDropout = headDropout
        if Zoo.isResidual(model.name) { m.stochasticDepth = stochasticDepth }
        return m
    }

    public var ensembleRuns: [String] { [] }
}

/// How a Noisy Student teacher's predictions become training targets.
public struct PseudoLabeling: Equatable, Sendable {
    /// One-hot argmax instead of softmax(z/T).
    public let hard: Bool
    public let temperature: Float
    /// Images whose top softmax probability (at T = 1) is below it are dropped.
    public let threshold: Float
    public let balance: Bool
    /// Images per predicted class when balancing (nil: pool size / classes).
    public let perClass: Int?
    /// r: pseudo-labelled images per labelled one in a batch.
    public let unlabeledRatio: Int
    public let labelSmoothing: Float

    public init(
        hard: Bool, temperature: Float, threshold: Float, balance: Bool, perClass: Int?, unlabeledRatio: Int,
        labelSmoothing: Float
    ) {
        (self.hard, self.temperature, self.threshold, self.balance) = (hard, temperature, threshold, balance)
        (self.perClass, self.unlabeledRatio, self.labelSmoothing) = (perClass, unlabeledRatio, labelSmoothing)
    }

    /// The pool images to train on, with repeats, from the teacher's `logits` `[N, K]` of the pool: those at
    /// or above the confidence threshold, then (with `balance`) m per predicted class: a class with n ≥ m
    /// keeps its m most confident, one with 0 < n < m has every image `floor(m/n)` times and its `m mod n`
    /// most confident once more (the authors round the copy count randomly; this rule is deterministic).
    /// Ties in confidence go to the lower index. Returns pool indices, grouped by predicted class.
    public func select(_ logits: Tensor) -> [Int] {
        let (n, k) = (logits.shape[0], logits.shape[1])
        let probabilities = noGrad { logits.softmax(axis: 1) }
        var byClass = [[(index: Int, confidence: Float)]](repeating: [], count: k)
        for i in 0..<n {
            let (confidence, predicted) = Vector.argmax(probabilities.data + i * k, k)
            if confidence >= threshold { byClass[predicted].append((i, confidence)) }
        }
        let m = perClass ?? Swift.max(1, n / k)
        var chosen: [Int] = []
        for var group in byClass where !group.isEmpty {
            group.sort { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.index < $1.index }
            guard balance else {
                chosen += group.map(\.index).sorted()
                continue
            }
            if group.count >= m {
                chosen += group.prefix(m).map(\.index)
            } else {
                for _ in 0..<(m / group.count) { chosen += group.map(\.index) }
                chosen += group.prefix(m % group.count).map(\.index)
            }
        }
        return chosen
    }

    /// The targets of pool images from their teacher `logits` `[N, K]`: softmax(z/T), or one-hot argmax.
    public func targets(_ logits: Tensor) -> Tensor {
        noGrad {
            guard hard else { return (logits * (1 / temperature)).softmax(axis: 1) }
            let (n, k) = (logits.shape[0], logits.shape[1])
            let out = Tensor.zeros([n, k])
            for i in 0..<n { out.data[i * k + Vector.argmax(logits.data + i * k, k).1] = 1 }
            return out
        }
    }
}

/// The loss of one Noisy Student generation: `CE_ls(y, z_l) + r·H(q_ls, z_u)`, each term averaged over its
/// own part of the batch; q comes from `targets` `[N, K]`, the pseudo-labels of the run's training images
/// by position (rows of labelled images unused). Smoothing ε mixes every target with the uniform 1/K.
public final class NoisyStudentLoss: DistillationMethod {
    let targets: Tensor
    let ratio: Float, smoothing: Float

    public init(targets: Tensor, ratio: Int, labelSmoothing: Float) {
        (self.targets, self.ratio, self.smoothing) = (targets, Float(ratio), labelSmoothing)
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .none }

    /// Terms `ce` (labelled part) and `pseudo` (pseudo-labelled part, times r).
    public func losses(_ step: StepContext) -> [LossTerm] {
        let z = step.student.logits, (b, k) = (z.shape[0], z.shape[1])
        let labelled = step.labels.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }, pseudo = b - labelled
        let ce = crossEntropy(z, labels: step.labels, labelSmoothing: smoothing, divisor: Swift.max(labelled, 1))
        // q_ls for the pseudo-labelled rows, zero rows for the labelled ones: [B, K]
        let q = Tensor.zeros([b, k])
        for (row, (index, label)) in zip(step.indices, step.labels).enumerated() where label < 0 {
            let source = targets.data + index * k, out = q.data + row * k
            for j in 0..<k { out[j] = (1 - smoothing) * source[j] + smoothing / Float(k) }
        }
        let h = (q * z.logSoftmax(axis: 1)).sum() * (-ratio / Float(Swift.max(pseudo, 1)))
        return [LossTerm("ce", ce), LossTerm("pseudo", h)]
    }
}
