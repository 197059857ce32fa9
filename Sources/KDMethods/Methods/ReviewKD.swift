// ReviewKD: Chen, Liu, Zhao & Jia 2021, "Distilling Knowledge via Knowledge Review": the student's stage
// maps and pooled feature, fused top-down (deep to shallow) by attention-based fusion (ABF), each level
// matched to the teacher's pre-ReLU map by the hierarchical context loss (HCL); L = ce_weight·CE +
// review_weight·min(e/warmup_epochs, 1)·Σ_ℓ hcl_ℓ.

import KDNN
import KDTensor

/// Feature-based distillation reviewing every teacher stage from all deeper student stages.
public final class ReviewKD: DistillationMethod {
    public static let params: [ParamSpec] = [
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
        ParamSpec(
            "review_weight", .number(.nonNegative), default: 1,
            doc: "weight of the summed HCL terms (authors: 5 for resnet32x4→resnet8x4 and wrn-40-2→wrn-16-2, "
                + "0.6 for resnet56→resnet20, 1 for resnet110→resnet32)"),
        Warmup.param,
        TeacherCaching.featuresParam,
    ]

    public static let entry = MethodEntry(
        name: "reviewkd", citation: "Chen et al. 2021",
        summary: "student stages fused deep to shallow by attention (ABF), each matched to a teacher stage by HCL",
        params: params, combine: .addOn, shape: .single { p, setup in try ReviewKD(p, setup) })

    /// Taps shallow to deep: the student's `layer1..3, pool` (WRN `block1..3, pool`), the teacher's
    /// `layer1.preact..layer3.preact, pool` (WRN `blockS.preact`).
    public let studentTaps: [String], teacherTaps: [String]
    /// One ABF per level, deepest (`pool`) first, as the authors order them.
    public let abfs: [ABF]
    let ceWeight: Float, reviewWeight: Float, warmupEpochs: Int

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "reviewkd")
        try TeacherCaching.check(p, setup)
        ceWeight = Float(try p.double("ce_weight"))
        reviewWeight = Float(try p.double("review_weight"))
        warmupEpochs = try p.int("warmup_epochs")
        let s = FeatureTaps(setup.student, role: "student"), t = FeatureTaps(teacher, role: "teacher")
        studentTaps = Self.stages(s) + ["pool"]
        teacherTaps = Self.stages(t).map { $0 + ".preact" } + ["pool"]
        let sShapes = try Self.shapes(studentTaps, of: s, key: "student")
        let tShapes = try Self.shapes(teacherTaps, of: t, key: "teacher.model")
        let mid = Swift.min(512, sShapes[3][0])
        abfs = (0..<4).reversed().map { level in
            ABF(
                studentChannels: sShapes[level][0], mid: mid, teacherChannels: tShapes[level][0], fuse: level < 3,
                seed: setup.seed ^ (0x4E5_0000 + UInt64(level)))
        }
    }

    /// The stage-output taps: `block1..3` for a WRN, otherwise `layer1..3`.
    static func stages(_ f: FeatureTaps) -> [String] { (1...3).map { (f.isWideResNet ? "block" : "layer") + "\($0)" } }

    /// Sample shapes `[C, H, W]` of `taps` (the last, `pool`, `[C]` read as `[C, 1, 1]`), or an error
    /// naming the config key of the model that lacks them.
    static func shapes(_ taps: [String], of f: FeatureTaps, key: String) throws -> [[Int]] {
        try taps.map { tap in
            let wanted = tap == "pool" ? 1 : 3
            guard let shape = f.shapes[tap], f.model.tapNames.contains(tap), shape.count == wanted else {
                throw MethodError(
                    "\(key): reviewkd reads the \(f.role)'s taps \(taps.joined(separator: ", ")) ([C, H, W] maps and the "
                        + "pooled [C]) of a ResNet or WRN; \(f.label) has no such tap '\(tap)' "
                        + "(taps: \(f.model.tapNames.joined(separator: ", ")))")
            }
            return wanted == 1 ? [shape[0], 1, 1] : shape
        }
    }

    public var extraLayers: [Layer] { [ABFs(abfs)] }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features(Set(teacherTaps)) }

    /// `[ce, review]`; the ABFs' BN uses batch statistics while training.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let maps = { (out: ModelOutput, taps: [String]) in
            taps.map { tap -> Tensor in
                let x = stepTap(out, tap, method: "reviewkd")
                return x.rank == 2 ? x.reshaped([x.dim(0), x.dim(1), 1, 1]) : x
            }
        }
        let review = Self.loss(
            student: maps(step.student, studentTaps), teacher: maps(step.teacher, teacherTaps), abfs: abfs,
            ForwardContext(training: true))
        let scale = reviewWeight * Warmup.factor(epoch: step.epoch, warmupEpochs: warmupEpochs)
        return [step.crossEntropyTerm(weight: ceWeight), LossTerm("review", review * scale)]
    }

    /// Σ_ℓ hcl(out_ℓ, t_ℓ) over the levels: `student` and `teacher` maps shallow to deep, each `[B, C, H, W]`
    /// (the pooled features as `[B, C, 1, 1]`), `abfs` deepest first. The teacher maps are frozen.
    public static func loss(student: [Tensor], teacher: [Tensor], abfs: [ABF], _ context: ForwardContext) -> Tensor {
        let outs = review(student: student, teacherSizes: teacher.map { ($0.dim(2), $0.dim(3)) }, abfs: abfs, context)
        return zip(outs, teacher).map { hcl($0, $1.detached()) }.reduce(Tensor(0), +)
    }

    /// The top-down pass: out_ℓ `[B, C_t,ℓ, H_t,ℓ, W_t,ℓ]` for each level, shallow to deep. The deepest
    /// level maps its map alone; each shallower one fuses its map with the deeper level's (resized) result.
    public static func review(
        student: [Tensor], teacherSizes: [(Int, Int)], abfs: [ABF], _ context: ForwardContext
    ) -> [Tensor] {
        precondition(student.count == abfs.count && teacherSizes.count == abfs.count, "ReviewKD: one ABF per level")
        var outs: [Tensor] = [], residual: Tensor?
        for (k, abf) in abfs.enumerated() {
            let level = abfs.count - 1 - k
            let (h, w) = teacherSizes[level]
            let (out, fused) = abf(student[level], residual: residual, outH: h, outW: w, context)
            outs.insert(out, at: 0)
            residual = fused
        }
        return outs
    }

    /// Hierarchical context loss of one level, h the height: [MSE(s, t) + Σ_{l ∈ (4, 2, 1), l < h} w_l·
    /// MSE(pool_l(s), pool_l(t))] / (1 + Σ w_l), w = ½, ¼, ⅛ in that order, pool_l adaptive average pooling
    /// to l×l and MSE the mean over elements (the normaliser 1.875 for h ≥ 8; h = 1 leaves the MSE alone).
    public static func hcl(_ s: Tensor, _ t: Tensor) -> Tensor {
        precondition(s.shape == t.shape && s.rank == 4, "ReviewKD.hcl: \(s.shape) vs \(t.shape)")
        var loss = mseLoss(s, t), weight: Float = 1, total: Float = 1
        for l in [4, 2, 1] where l < s.dim(2) {
            weight /= 2
            total += weight
            loss = loss + mseLoss(adaptiveAvgPool2d(s, outH: l, outW: l), adaptiveAvgPool2d(t, outH: l, outW: l)) * weight
        }
        return loss * (1 / total)
    }
}
