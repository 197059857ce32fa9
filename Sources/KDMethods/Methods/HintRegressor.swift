// HintRegressor: the FitNets regressor r (Romero et al. 2015, §2.2) mapping the student's guided tap to
// the shape of the teacher's hint tap. Convolution chosen from the spatial sizes as RepDistiller's
// ConvReg, then BN, then a ReLU only when the hint tap is post-ReLU; a Linear layer for vector taps.

import KDNN
import KDTensor

/// The trainable adapter of `fitnet`, named `regressor.conv.weight`, `regressor.bn.*` (or `regressor.fc.*`).
public final class HintRegressor: Layer {
    /// Which layer maps the student's tap to the teacher's.
    public enum Kind: Equatable, Sendable {
        /// Convolution `kernelH × kernelW` with `stride` and zero `padding`, then BN.
        case conv(kernelH: Int, kernelW: Int, stride: Int, padding: Int)
        /// Fully connected (vector taps `[D]`).
        case linear
    }

    /// The layer chosen for a student sample shape `s` and teacher sample shape `t` (`[C, H, W]` or
    /// `[D]`): 1x1 when the sizes are equal, 3x3 stride 2 padding 1 when the student map is twice the
    /// teacher's, a valid convolution of kernel `1 + s − t` when it is larger otherwise; nil when the
    /// student map is smaller in some dimension or the ranks differ.
    public static func kind(student s: [Int], teacher t: [Int]) -> Kind? {
        if s.count == 1 && t.count == 1 { return .linear }
        guard s.count == 3 && t.count == 3 else { return nil }
        let (sh, sw, th, tw) = (s[1], s[2], t[1], t[2])
        if sh == th && sw == tw { return .conv(kernelH: 1, kernelW: 1, stride: 1, padding: 0) }
        if sh == 2 * th && sw == 2 * tw { return .conv(kernelH: 3, kernelW: 3, stride: 2, padding: 1) }
        if sh >= th && sw >= tw { return .conv(kernelH: 1 + sh - th, kernelW: 1 + sw - tw, stride: 1, padding: 0) }
        return nil
    }

    /// The chosen layer.
    public let kind: Kind
    /// Whether a ReLU ends the regressor (the hint tap is post-ReLU: the same non-linearity, §2.2).
    public let relu: Bool
    /// Sample shape of the output (the teacher's tap shape).
    public let outputShape: [Int]
    /// Conv weight `[C_t, C_s, kh, kw]` (no bias: BN follows).
    let weight: Tensor?
    let bn: BatchNorm2d?
    let fc: Linear?

    /// A regressor from student sample shape `student` to `teacher`, initialised from `seed`
    /// (Kaiming-normal convolution, PyTorch-default Linear); nil when no layer fits (see `kind`).
    public init?(student: [Int], teacher: [Int], relu: Bool, seed: UInt64) {
        guard let kind = Self.kind(student: student, teacher: teacher) else { return nil }
        var rng = SeededGenerator(seed: seed)
        (self.kind, self.relu, self.outputShape) = (kind, relu, teacher)
        switch kind {
        case let .conv(kh, kw, _, _):
            let w = Initialization.kaimingNormalFanOut([teacher[0], student[0], kh, kw], rng: &rng)
            w.requiresGrad = true
            (weight, bn, fc) = (w, BatchNorm2d(teacher[0]), nil)
        case .linear:
            (weight, bn, fc) = (nil, nil, Linear(student[0], teacher[0], rng: &rng))
        }
    }

    /// Student feature `[B, C_s, H_s, W_s]` (or `[B, D_s]`) → `[B, C_t, H_t, W_t]` (or `[B, D_t]`).
    /// BN uses batch statistics when `context.training`.
    public func callAsFunction(_ x: Tensor, _ context: ForwardContext) -> Tensor {
        switch kind {
        case let .conv(_, _, stride, padding):
            guard let weight, let bn else { preconditionFailure("HintRegressor: conv state missing") }
            return bn(conv2d(x, weight: weight, stride: stride, padding: padding), context, relu: relu)
        case .linear:
            guard let fc else { preconditionFailure("HintRegressor: linear state missing") }
            return relu ? fc(x).relu() : fc(x)
        }
    }

    /// `regressor.conv.weight`, `regressor.bn.{weight, bias, running_mean, running_var, num_batches_tracked}`
    /// or `regressor.fc.{weight, bias}`, under `prefix`.
    public func namedTensors(prefix: String) -> [NamedTensor] {
        let p = prefix + "regressor."
        if let fc { return fc.namedTensors(prefix: p + "fc.") }
        return (weight.map { [NamedTensor(p + "conv.weight", $0)] } ?? []) + (bn?.namedTensors(prefix: p + "bn.") ?? [])
    }
}
