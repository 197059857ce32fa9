// WideResNet: `wrn-D-k` of Zagoruyko & Komodakis 2016 (D = 6n + 4, widths 16, 16k, 32k, 64k) with
// pre-activation blocks, named as in the attention-transfer and RepDistiller code.

import KDTensor

/// BN → ReLU → conv3x3(stride) → BN → ReLU → conv3x3, shortcut conv1x1 on the pre-activated input
/// when the width changes (identity otherwise).
final class WideBlock: Layer {
    let bn1: BatchNorm2d, conv1: Conv2d, bn2: BatchNorm2d, conv2: Conv2d
    let shortcut: Conv2d?
    /// Probability that a training sample keeps the residual branch (stochastic depth; 1: always).
    var survival: Float = 1

    init(_ cin: Int, _ cout: Int, stride: Int, rng: inout SeededGenerator) {
        bn1 = BatchNorm2d(cin)
        conv1 = Conv2d(cin, cout, kernel: 3, stride: stride, padding: 1, rng: &rng)
        bn2 = BatchNorm2d(cout)
        conv2 = Conv2d(cout, cout, kernel: 3, padding: 1, rng: &rng)
        shortcut = cin == cout ? nil : Conv2d(cin, cout, kernel: 1, stride: stride, rng: &rng)
    }

    /// The block's output and, with `keepPreact`, its first BN's output before the ReLU (the previous
    /// group's `.preact` tap; computed apart from the ReLU only then).
    func forward(_ x: Tensor, _ ctx: ForwardContext, keepPreact: Bool = false) -> (Tensor, Tensor?) {
        let normalized = keepPreact ? bn1(x, ctx) : nil
        let pre = normalized?.relu() ?? bn1(x, ctx, relu: true)
        let h = StochasticDepth.apply(conv2(bn2(conv1(pre, ctx), ctx, relu: true), ctx), survival: survival, ctx)
        return (h + (shortcut.map { $0(pre, ctx) } ?? x), normalized)
    }

    func namedTensors(prefix: String) -> [NamedTensor] {
        bn1.namedTensors(prefix: prefix + "bn1.") + conv1.namedTensors(prefix: prefix + "conv1.")
            + bn2.namedTensors(prefix: prefix + "bn2.") + conv2.namedTensors(prefix: prefix + "conv2.")
            + (shortcut?.namedTensors(prefix: prefix + "convShortcut.") ?? [])
    }
}

/// Wide ResNet; taps `stem`, `block1…3`, `block1…3.preact`, `pool`, `logits`. `blockG.preact` is the BN
/// that the next unit applies to group G's output, before its ReLU (`block2.layer.0.bn1`,
/// `block3.layer.0.bn1`, the head's `bn1`).
public final class WideResNet: Model {
    public let spec: ModelSpec
    let conv1: Conv2d
    let groups: [[WideBlock]]
    let bn1: BatchNorm2d
    let fc: Linear

    public init(spec: ModelSpec, depth: Int, widen: Int, rng: inout SeededGenerator) {
        self.spec = spec
        let n = (depth - 4) / 6
        let widths = [16, 16 * widen, 32 * widen, 64 * widen]
        conv1 = Conv2d(spec.inputShape[0], widths[0], kernel: 3, padding: 1, rng: &rng)
        var cin = widths[0]
        var groups: [[WideBlock]] = []
        for g in 0..<3 {
            var blocks: [WideBlock] = []
            for b in 0..<n {
                blocks.append(WideBlock(cin, widths[g + 1], stride: (g > 0 && b == 0) ? 2 : 1, rng: &rng))
                cin = widths[g + 1]
            }
            groups.append(blocks)
        }
        self.groups = groups
        let blocks = groups.joined()
        for (l, block) in blocks.enumerated() {
            block.survival = StochasticDepth.survival(block: l + 1, of: blocks.count, last: spec.stochasticDepth)
        }
        bn1 = BatchNorm2d(widths[3])
        fc = Linear(widths[3], spec.numClasses, rng: &rng)
    }

    /// Survival probability of each residual block in forward order (all 1 without stochastic depth).
    public var blockSurvival: [Float] { groups.joined().map(\.survival) }

    public var tapNames: [String] {
        ["stem", "block1", "block1.preact", "block2", "block2.preact", "block3", "block3.preact", "pool", "logits"]
    }

    /// `blockG.preact` → the BN whose output it is.
    public func batchNormPrefix(ofTap name: String) -> String? {
        switch name {
        case "block1.preact": return "block2.layer.0.bn1."
        case "block2.preact": return "block3.layer.0.bn1."
        case "block3.preact": return "bn1."
        default: return nil
        }
    }

    public func forward(_ x: Tensor, _ context: ForwardContext) -> ModelOutput {
        var h = conv1(x, context)  // [N, 16, H, W]
        var taps: [String: Tensor] = ["stem": h]
        for (g, blocks) in groups.enumerated() {
            for (b, block) in blocks.enumerated() {
                let (out, pre) = block.forward(h, context, keepPreact: g > 0 && b == 0)
                if let pre { taps["block\(g).preact"] = pre }  // group g's output through this unit's BN
                h = out
            }
            taps["block\(g + 1)"] = h
        }
        let normalized = bn1(h, context)  // block3.preact [N, 64k, H/4, W/4]
        taps["block3.preact"] = normalized
        let pooled = globalAvgPool2d(normalized.relu())  // [N, 64k]
        let logits = fc(headDropout(pooled, p: spec.headDropout, context), context)  // [N, K]
        taps["pool"] = pooled
        taps["logits"] = logits
        return ModelOutput(logits: logits, taps: taps)
    }

    public func namedTensors(prefix: String) -> [NamedTensor] {
        var all = conv1.namedTensors(prefix: prefix + "conv1.")
        for (g, blocks) in groups.enumerated() {
            for (b, block) in blocks.enumerated() { all += block.namedTensors(prefix: prefix + "block\(g + 1).layer.\(b).") }
        }
        return all + bn1.namedTensors(prefix: prefix + "bn1.") + fc.namedTensors(prefix: prefix + "fc.")
    }
}
