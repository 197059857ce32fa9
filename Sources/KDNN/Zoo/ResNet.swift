// ResNet: the CIFAR ResNets of He et al. 2016 (`resnet8 … resnet110`, widths 16-16-32-64) and the
// 4x-wide `resnet8x4`/`resnet32x4` (32-64-128-256) used by RepDistiller, with BN+ReLU fused.

import KDTensor

/// conv3x3 → BN → ReLU → conv3x3 → BN, plus the shortcut, then ReLU; in training the branch may be
/// dropped per sample (stochastic depth).
final class BasicBlock: Layer {
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d
    let downsample: (Conv2d, BatchNorm2d)?
    /// Probability that a training sample keeps the residual branch (stochastic depth; 1: always).
    var survival: Float = 1

    init(_ cin: Int, _ cout: Int, stride: Int, rng: inout SeededGenerator) {
        conv1 = Conv2d(cin, cout, kernel: 3, stride: stride, padding: 1, rng: &rng)
        bn1 = BatchNorm2d(cout)
        conv2 = Conv2d(cout, cout, kernel: 3, padding: 1, rng: &rng)
        bn2 = BatchNorm2d(cout)
        downsample =
            (stride != 1 || cin != cout) ? (Conv2d(cin, cout, kernel: 1, stride: stride, rng: &rng), BatchNorm2d(cout)) : nil
    }

    /// Returns the block output and, when `keepPreact`, the sum before the final ReLU.
    func forward(_ x: Tensor, _ ctx: ForwardContext, keepPreact: Bool) -> (Tensor, Tensor?) {
        let h = bn1(conv1(x, ctx), ctx, relu: true)
        let r = StochasticDepth.apply(bn2(conv2(h, ctx), ctx), survival: survival, ctx)
        let shortcut = downsample.map { conv, bn in bn(conv(x, ctx), ctx) } ?? x
        if keepPreact {
            let pre = r + shortcut
            return (pre.relu(), pre)
        }
        return (addReLU(r, shortcut), nil)
    }

    func namedTensors(prefix: String) -> [NamedTensor] {
        var all =
            conv1.namedTensors(prefix: prefix + "conv1.") + bn1.namedTensors(prefix: prefix + "bn1.")
            + conv2.namedTensors(prefix: prefix + "conv2.") + bn2.namedTensors(prefix: prefix + "bn2.")
        if let (conv, bn) = downsample {
            all += conv.namedTensors(prefix: prefix + "downsample.0.") + bn.namedTensors(prefix: prefix + "downsample.1.")
        }
        return all
    }
}

/// CIFAR ResNet; taps `stem`, `layer1…3`, `layer1…3.preact`, `pool`, `logits`.
public final class ResNet: Model {
    public let spec: ModelSpec
    let conv1: Conv2d, bn1: BatchNorm2d
    let stages: [[BasicBlock]]
    let fc: Linear

    /// depth = 6n + 2; `widths` = (w0, w1, w2, w3).
    public init(spec: ModelSpec, depth: Int, widths: [Int], rng: inout SeededGenerator) {
        self.spec = spec
        let n = (depth - 2) / 6
        conv1 = Conv2d(spec.inputShape[0], widths[0], kernel: 3, padding: 1, rng: &rng)
        bn1 = BatchNorm2d(widths[0])
        var cin = widths[0]
        var stages: [[BasicBlock]] = []
        for s in 0..<3 {
            var blocks: [BasicBlock] = []
            for b in 0..<n {
                blocks.append(BasicBlock(cin, widths[s + 1], stride: (s > 0 && b == 0) ? 2 : 1, rng: &rng))
                cin = widths[s + 1]
            }
            stages.append(blocks)
        }
        self.stages = stages
        let blocks = stages.joined()
        for (l, block) in blocks.enumerated() {
            block.survival = StochasticDepth.survival(block: l + 1, of: blocks.count, last: spec.stochasticDepth)
        }
        fc = Linear(widths[3], spec.numClasses, rng: &rng)
    }

    /// Survival probability of each residual block in forward order (all 1 without stochastic depth).
    public var blockSurvival: [Float] { stages.joined().map(\.survival) }

    public var tapNames: [String] {
        ["stem", "layer1.preact", "layer1", "layer2.preact", "layer2", "layer3.preact", "layer3", "pool", "logits"]
    }

    /// `layerS.preact` → `layerS.{last block}.bn2.` (the tap adds the shortcut to that BN's output, an
    /// approximation every reference makes, docs/methods-zoo.md).
    public func batchNormPrefix(ofTap name: String) -> String? {
        guard name.hasPrefix("layer"), name.hasSuffix(".preact"), let s = Int(name.dropFirst(5).dropLast(7)),
            (1...stages.count).contains(s), !stages[s - 1].isEmpty
        else { return nil }
        return "layer\(s).\(stages[s - 1].count - 1).bn2."
    }

    public func forward(_ x: Tensor, _ context: ForwardContext) -> ModelOutput {
        var taps: [String: Tensor] = [:]
        var h = bn1(conv1(x, context), context, relu: true)  // [N, w0, H, W]
        taps["stem"] = h
        for (s, blocks) in stages.enumerated() {
            for (b, block) in blocks.enumerated() {
                let last = b == blocks.count - 1
                let (out, pre) = block.forward(h, context, keepPreact: last)
                h = out
                if let pre { taps["layer\(s + 1).preact"] = pre }
            }
            taps["layer\(s + 1)"] = h  // [N, w_{s+1}, H/2^s, W/2^s]
        }
        let pooled = globalAvgPool2d(h)  // [N, w3]
        let logits = fc(headDropout(pooled, p: spec.headDropout, context), context)  // [N, K]
        taps["pool"] = pooled
        taps["logits"] = logits
        return ModelOutput(logits: logits, taps: taps)
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        var all = conv1.namedTensors(prefix: prefix + "conv1.") + bn1.namedTensors(prefix: prefix + "bn1.")
        for (s, blocks) in stages.enumerated() {
            for (b, block) in blocks.enumerated() { all += block.namedTensors(prefix: prefix + "layer\(s + 1).\(b).") }
        }
        return all + fc.namedTensors(prefix: prefix + "fc.")
    }
}
