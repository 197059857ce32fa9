// NST: Huang & Wang 2017, "Like What You Like: Knowledge Distill via Neuron Selectivity Transfer": the
// channels' spatial patterns as samples of a distribution, matched by a squared MMD with the polynomial
// kernel k(x, y) = (xᵀy)²; L = ce_weight·CE + nst_weight·Σ_pairs MMD².

import KDNN
import KDTensor

/// Feature-based distillation of the distribution of channel activation patterns.
public final class NST: DistillationMethod {
    public static let params: [ParamSpec] = [
        ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
        ParamSpec(
            "nst_weight", .number(.nonNegative), default: 50, doc: "weight of the summed MMD terms (RepDistiller, mdistiller)"),
        ParamSpec(
            "student_taps", .list(.string()), default: .absent,
            doc: "student taps; absent: its stage outputs (layer1..3; block1..3 for WRNs, conv1, conv2 for lenet5)"),
        ParamSpec(
            "teacher_taps", .list(.string()), default: .absent,
            doc: "teacher taps, paired in order with student_taps; absent: its stage outputs"),
        TeacherCaching.featuresParam,
    ]

    public static let entry = MethodEntry(
        name: "nst", citation: "Huang & Wang 2017",
        summary: "match the distributions of channels' spatial patterns (squared MMD, polynomial kernel)",
        params: params, combine: .addOn, shape: .single { p, setup in try NST(p, setup) })

    /// Paired tap names, in order.
    public let studentTaps: [String], teacherTaps: [String]
    let ceWeight: Float, nstWeight: Float

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "nst")
        try TeacherCaching.check(p, setup)
        ceWeight = Float(try p.double("ce_weight"))
        nstWeight = Float(try p.double("nst_weight"))
        (studentTaps, teacherTaps) = try FeatureTaps.paired(
            p, student: setup.student, teacher: teacher, method: "nst", defaults: .stageOutputs)
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features(Set(teacherTaps)) }

    /// `[ce, nst]`.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let fs = studentTaps.map { stepTap(step.student, $0, method: "nst") }
        let ft = teacherTaps.map { stepTap(step.teacher, $0, method: "nst") }
        var total = Self.mmd(student: fs[0], teacher: ft[0])
        for j in fs.indices.dropFirst() { total = total + Self.mmd(student: fs[j], teacher: ft[j]) }
        return [step.crossEntropyTerm(weight: ceWeight), LossTerm("nst", total * nstWeight)]
    }

    /// The squared MMD of one pair `[B, C_s, H, W]` ↔ `[B, C_t, H', W']` (the larger map average-pooled to the
    /// smaller): channels reshaped to `[B, C, HW]` and L2-normalised (ε 1e-12), then
    /// mean k(t, t) + mean k(s, s) − 2·mean k(s, t), each mean over the batch and every channel pair. The
    /// teacher–teacher part is a constant, kept so the value is the MMD. Kernels come from batched Gram
    /// products `[B, C, C']`, never a `[B, C, C', HW]` tensor.
    public static func mmd(student fs: Tensor, teacher ft: Tensor) -> Tensor {
        let (s4, t4) = FeatureMaps.matchSpatial(fs, ft)
        let s = channels(s4)
        let t = noGrad { channels(t4.detached()) }
        let tt = noGrad { squaredGram(t, t).mean() }
        return tt + squaredGram(s, s).mean() - 2 * squaredGram(s, t).mean()
    }

    /// `[B, C, H, W]` → `[B, C, HW]`, each channel's vector of unit length.
    static func channels(_ f: Tensor) -> Tensor {
        let (b, c) = (f.shape[0], f.shape[1])
        return f.reshaped([b, c, f.count / (b * c)]).l2Normalized(axis: 2, eps: 1e-12)
    }

    /// (a bᵀ)² elementwise per batch entry: `[B, C_a, N]`, `[B, C_b, N]` → `[B, C_a, C_b]`.
    static func squaredGram(_ a: Tensor, _ b: Tensor) -> Tensor {
        let g = matmul(a, b, transposeB: true)
        return g * g
    }
}
