// FTModules: the trainable parts of factor transfer (Kim et al. 2018): the paraphraser, an autoencoder on
// the teacher's map (3x3 convs, then 3x3 transposed convs, each with bias and LeakyReLU 0.1, no BN), and
// the translator on the student's map (3x3 convs, each with BN and LeakyReLU 0.1); RepDistiller's names.

import KDNN
import KDTensor

/// LeakyReLU with negative slope `slope`, composed as slope·x + (1 − slope)·relu(x).
func leakyReLU(_ x: Tensor, slope: Float = 0.1) -> Tensor { x * slope + x.relu() * (1 - slope) }

/// A 3x3 convolution, stride 1, pad 1, with bias; `transposed` keeps PyTorch's ConvTranspose2d layout.
final class FTConv: Layer {
    /// `[out, in, 3, 3]`, or `[in, out, 3, 3]` when transposed (PyTorch's layout for each).
    let weight: Tensor
    /// `[out]`.
    let bias: Tensor
    let transposed: Bool

    /// PyTorch's default init, U(±1/√fan_in) for weight and bias, fan_in = weight.size(1)·9 as PyTorch
    /// computes it (for a transposed conv that is out·9).
    init(_ inChannels: Int, _ outChannels: Int, transposed: Bool = false, rng: inout SeededGenerator) {
        self.transposed = transposed
        let shape = transposed ? [inChannels, outChannels, 3, 3] : [outChannels, inChannels, 3, 3]
        weight = Initialization.uniformFanIn(shape, fanIn: shape[1] * 9, rng: &rng)
        bias = Initialization.uniformFanIn([outChannels], fanIn: shape[1] * 9, rng: &rng)
        weight.requiresGrad = true
        bias.requiresGrad = true
    }

    /// The weight as an ordinary convolution's `[out, in, 3, 3]`: a transposed 3x3 conv with stride 1 and
    /// pad 1 is a 3x3 conv with pad 1 whose weight has in and out swapped and is flipped spatially.
    var convWeight: Tensor {
        guard transposed else { return weight }
        let flip = [2, 1, 0]
        return weight.permuted([1, 0, 2, 3]).indexSelect(axis: 2, flip).indexSelect(axis: 3, flip)
    }

    /// x `[B, in, H, W]` → `[B, out, H, W]`.
    func callAsFunction(_ x: Tensor) -> Tensor { conv2d(x, weight: convWeight, bias: bias, stride: 1, padding: 1) }

    func namedTensors(prefix: String) -> [NamedTensor] {
        [NamedTensor(prefix + "weight", weight), NamedTensor(prefix + "bias", bias)]
    }
}

/// The paraphraser, `paraphraser.encoder.{0,3,6}.*` and `paraphraser.decoder.{0,3,6}.*` (RepDistiller's
/// Sequential indices): encoder convs C→C, C→kC, kC→kC; decoder transposed convs kC→kC, kC→C, C→C.
public final class Paraphraser: Layer {
    let encoder: [FTConv], decoder: [FTConv]
    /// Channels of the factor, ⌊k·C⌋.
    public let factorChannels: Int

    /// A paraphraser for teacher maps of `channels` channels and factor channels `factorChannels`.
    public init(channels c: Int, factorChannels k: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        factorChannels = k
        encoder = [FTConv(c, c, rng: &rng), FTConv(c, k, rng: &rng), FTConv(k, k, rng: &rng)]
        decoder = [
            FTConv(k, k, transposed: true, rng: &rng), FTConv(k, c, transposed: true, rng: &rng),
            FTConv(c, c, transposed: true, rng: &rng),
        ]
    }

    /// The factor `[B, kC, H, W]` of a teacher map `[B, C, H, W]`.
    public func encode(_ x: Tensor) -> Tensor { encoder.reduce(x) { leakyReLU($1($0)) } }

    /// The reconstruction `[B, C, H, W]` of a factor `[B, kC, H, W]`.
    public func decode(_ f: Tensor) -> Tensor { decoder.reduce(f) { leakyReLU($1($0)) } }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        let p = prefix + "paraphraser."
        return encoder.enumerated().flatMap { i, c in c.namedTensors(prefix: p + "encoder.\(3 * i).") }
            + decoder.enumerated().flatMap { i, c in c.namedTensors(prefix: p + "decoder.\(3 * i).") }
    }
}

/// The translator, `translator.encoder.{0,3,6}.*` (convs) and `translator.encoder.{1,4,7}.*` (BN): convs
/// C_s→C_s, C_s→kC_t, kC_t→kC_t, each followed by BN and LeakyReLU(0.1).
public final class Translator: Layer {
    let convs: [FTConv]
    let norms: [BatchNorm2d]

    /// A translator from student maps of `channels` channels to factors of `factorChannels`.
    public init(channels c: Int, factorChannels k: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        convs = [FTConv(c, c, rng: &rng), FTConv(c, k, rng: &rng), FTConv(k, k, rng: &rng)]
        norms = [BatchNorm2d(c), BatchNorm2d(k), BatchNorm2d(k)]
    }

    /// The student's factor `[B, kC_t, H, W]` of its map `[B, C_s, H, W]`; BN in training mode when
    /// `context.training`.
    public func callAsFunction(_ x: Tensor, _ context: ForwardContext) -> Tensor {
        zip(convs, norms).reduce(x) { h, layer in leakyReLU(layer.1(layer.0(h), context)) }
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        let p = prefix + "translator.encoder."
        return (0..<3).flatMap { i in
            convs[i].namedTensors(prefix: p + "\(3 * i).") + norms[i].namedTensors(prefix: p + "\(3 * i + 1).")
        }
    }
}
