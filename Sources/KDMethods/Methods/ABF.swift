// ABF: the attention-based fusion module of ReviewKD (Chen et al. 2021, §3.3): one level's student map
// through conv1x1 + BN, fused with the deeper level's residual by two sigmoid attention maps, resized to
// the teacher's size, then conv3x3 + BN to the teacher's channels.

import KDNN
import KDTensor

/// One level's ABF, named as the authors' module: `conv1.0.weight [M, C_s, 1, 1]`, `conv1.1.*` (BN M),
/// `conv2.0.weight [C_t, M, 3, 3]`, `conv2.1.*` (BN C_t), and when fusing `att_conv.0.weight [2, 2M, 1, 1]`,
/// `att_conv.0.bias [2]`.
public final class ABF: Layer {
    /// Conv1x1 weight `[M, C_s, 1, 1]` (no bias), Kaiming-uniform a = 1.
    public let conv1: Tensor
    /// BN over the M channels of conv1.
    public let bn1: BatchNorm2d
    /// Conv3x3 (pad 1) weight `[C_t, M, 3, 3]` (no bias), Kaiming-uniform a = 1.
    public let conv2: Tensor
    /// BN over the teacher's C_t channels.
    public let bn2: BatchNorm2d
    /// Attention conv1x1 `[2, 2M, 1, 1]` and bias `[2]` (PyTorch's default init); nil at the deepest level.
    public let attWeight: Tensor?, attBias: Tensor?

    /// The ABF of a level mapping `studentChannels` to `teacherChannels` through `mid` (M) channels;
    /// `fuse` adds the attention conv (every level but the deepest).
    public init(studentChannels cs: Int, mid m: Int, teacherChannels ct: Int, fuse: Bool, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        conv1 = Initialization.kaimingUniform([m, cs, 1, 1], a: 1, rng: &rng)
        conv2 = Initialization.kaimingUniform([ct, m, 3, 3], a: 1, rng: &rng)
        (bn1, bn2) = (BatchNorm2d(m), BatchNorm2d(ct))
        if fuse {
            attWeight = Initialization.uniformFanIn([2, 2 * m, 1, 1], fanIn: 2 * m, rng: &rng)
            attBias = Initialization.uniformFanIn([2], fanIn: 2 * m, rng: &rng)
        } else {
            (attWeight, attBias) = (nil, nil)
        }
        for t in [conv1, conv2] + [attWeight, attBias].compactMap({ $0 }) { t.requiresGrad = true }
    }

    /// Student map `x` `[B, C_s, H, W]` and the deeper level's `residual` `[B, M, h, w]` (nil at the
    /// deepest level) → `out` `[B, C_t, outH, outW]` and the fused map `[B, M, outH, outW]`, the next
    /// level's residual. The residual is resized (nearest) to H×W, the attention a = sigmoid(att([x; r]))
    /// `[B, 2, H, W]` gives x = a₀·x + a₁·r, and x is resized to outH×outW when it differs.
    public func callAsFunction(
        _ x: Tensor, residual: Tensor?, outH: Int, outW: Int, _ context: ForwardContext
    ) -> (out: Tensor, residual: Tensor) {
        var y = bn1(conv2d(x, weight: conv1), context)  // [B, M, H, W]
        let (h, w) = (y.dim(2), y.dim(3))
        if let attWeight, let attBias {
            guard let residual else { preconditionFailure("ABF: a fusing level needs the deeper level's residual") }
            let r = residual.dim(2) == h && residual.dim(3) == w ? residual : resizeNearest2d(residual, outH: h, outW: w)
            let a = conv2d(concat([y, r], axis: 1), weight: attWeight, bias: attBias).sigmoid()  // [B, 2, H, W]
            y = y * a.slice(axis: 1, 0..<1) + r * a.slice(axis: 1, 1..<2)
        }
        if h != outH || w != outW { y = resizeNearest2d(y, outH: outH, outW: outW) }
        return (bn2(conv2d(y, weight: conv2, padding: 1), context), y)
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        var all = [NamedTensor(prefix + "conv1.0.weight", conv1)] + bn1.namedTensors(prefix: prefix + "conv1.1.")
        all += [NamedTensor(prefix + "conv2.0.weight", conv2)] + bn2.namedTensors(prefix: prefix + "conv2.1.")
        if let attWeight, let attBias {
            all += [NamedTensor(prefix + "att_conv.0.weight", attWeight), NamedTensor(prefix + "att_conv.0.bias", attBias)]
        }
        return all
    }
}

/// The ABFs of all levels as one layer, `abfs.{i}.*`, i = 0 the deepest (`pool`) as in the authors' code.
final class ABFs: Layer {
    let all: [ABF]

    init(_ all: [ABF]) { self.all = all }

    func namedTensors(prefix: String) -> [NamedTensor] {
        all.enumerated().flatMap { i, a in a.namedTensors(prefix: prefix + "abfs.\(i).") }
    }
}
