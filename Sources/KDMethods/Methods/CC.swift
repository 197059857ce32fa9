// CC: Peng et al. 2019, "Correlation Congruence for Knowledge Distillation": both embeddings projected by
// trainable heads to 128-d, then matched by their correlations. code mode (RepDistiller, the authors'
// code): e = h_s − h_t, cc = (1/(B−1)) Σ_i Σ_d |e[i,d]|·|e[i+1,d]| over neighbouring samples in batch
// order. paper mode (torchdistill): ‖G_s − G_t‖_F / B², G the 2nd-order Taylor Gaussian kernel of h.

import Foundation
import KDNN
import KDTensor

/// Relation-based distillation of the correlations between samples' embeddings.
public final class CC: DistillationMethod {
    /// How the term is formed.
    public enum Mode: String, Sendable, CaseIterable {
        /// Products of absolute differences of neighbouring samples (RepDistiller).
        case code
        /// Frobenius distance of Taylor-expanded Gaussian kernel matrices (the paper's Eq., torchdistill).
        case paper
    }

    public static let params: [ParamSpec] =
        [
            ParamSpec("ce_weight", .number(.nonNegative), default: 1, doc: "weight of cross-entropy with the labels"),
            ParamSpec(
                "cc_weight", .number(.nonNegative), default: .absent,
                doc: "weight of the term cc; absent: 0.02 in mode code (RepDistiller), required in mode paper (none published)"),
            ParamSpec(
                "mode", .string(choices: Mode.allCases.map(\.rawValue)), default: "code",
                doc: "code: neighbouring samples' difference products; paper: Taylor Gaussian kernel matrices"),
            ParamSpec("gamma", .number(.positive), default: 0.4, doc: "kernel parameter γ of mode paper"),
            ParamSpec("embed_dim", .integer(.positive), default: 128, doc: "output size of both heads"),
        ] + EmbeddingTaps.params + [TeacherCaching.featuresParam]

    public static let entry = MethodEntry(
        name: "cc", citation: "Peng et al. 2019",
        summary: "match correlations between samples of the embeddings, through trainable heads",
        params: params, combine: .addOn, shape: .single { p, setup in try CC(p, setup) })

    /// Student and teacher tap names.
    public let studentTap: String, teacherTap: String
    /// The trainable heads (in the student's optimizer, saved with the run's state).
    public let heads: EmbeddingHeads
    let ceWeight: Float, ccWeight: Float, gamma: Float
    let mode: Mode

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let teacher = try setup.soleTeacher(for: "cc")
        try TeacherCaching.check(p, setup)
        let modeName = try p.string("mode")
        guard let mode = Mode(rawValue: modeName) else {
            throw MethodError("\(p.keyPath("mode")): expected one of code, paper, found \"\(modeName)\"")
        }
        self.mode = mode
        guard let weight = try p.optionalDouble("cc_weight") ?? (mode == .code ? 0.02 : nil) else {
            throw MethodError("\(p.keyPath("cc_weight")): missing; mode paper has no published weight, set one")
        }
        (ceWeight, ccWeight, gamma) = (Float(try p.double("ce_weight")), Float(weight), Float(try p.double("gamma")))
        let taps = try EmbeddingTaps(p, student: setup.student, teacher: teacher)
        (studentTap, teacherTap) = (taps.student, taps.teacher)
        heads = EmbeddingHeads(
            taps, student: setup.student, teacher: teacher, dim: try p.int("embed_dim"), seed: setup.seed ^ 0xCC_5EED)
    }

    public var extraLayers: [Layer] { [heads] }

    public func teacherUse(in stage: Stage) -> TeacherUse { .features([teacherTap]) }

    /// `[ce, cc]`.
    public func losses(_ step: StepContext) -> [LossTerm] {
        let s = stepTap(step.student, studentTap, method: "cc"), t = stepTap(step.teacher, teacherTap, method: "cc")
        let hs = heads.student(s.flattened(from: 1)), ht = heads.teacher(t.detached().flattened(from: 1))
        let term =
            mode == .code ? Self.codeLoss(student: hs, teacher: ht) : Self.paperLoss(student: hs, teacher: ht, gamma: gamma)
        return [step.crossEntropyTerm(weight: ceWeight), LossTerm("cc", term * ccWeight)]
    }

    /// Code mode on head outputs `[B, D]` (B ≥ 2): (1/(B−1)) Σ_{i<B−1} Σ_d |e[i,d]|·|e[i+1,d]|, e = h_s − h_t.
    /// Gradients reach both heads' inputs.
    public static func codeLoss(student hs: Tensor, teacher ht: Tensor) -> Tensor {
        let b = hs.shape[0]
        precondition(b >= 2 && hs.shape == ht.shape, "CC.codeLoss: head outputs \(hs.shape) vs \(ht.shape)")
        let e = (hs - ht).abs()
        return (e.slice(axis: 0, 0..<(b - 1)) * e.slice(axis: 0, 1..<b)).sum() * (1 / Float(b - 1))
    }

    /// Paper mode on head outputs `[B, D]`: ‖G_s − G_t‖_F / B², unsquared, with
    /// G = e^{−2γ} (1 + 2γ·hhᵀ + (2γ)²/2·(hhᵀ)²) per network.
    public static func paperLoss(student hs: Tensor, teacher ht: Tensor, gamma: Float) -> Tensor {
        let b = Float(hs.shape[0])
        let d = kernel(hs, gamma: gamma) - kernel(ht, gamma: gamma)
        return (d * d).sum().clamp(min: 1e-30).sqrt() * (1 / (b * b))
    }

    /// The second-order Taylor expansion of the Gaussian kernel, `[B, D]` → `[B, B]`.
    static func kernel(_ h: Tensor, gamma: Float) -> Tensor {
        let dot = matmul(h, h, transposeB: true)
        let twoGamma = 2 * gamma
        return (1 + dot * twoGamma + dot * dot * (twoGamma * twoGamma / 2)) * Float(exp(Double(-twoGamma)))
    }
}
