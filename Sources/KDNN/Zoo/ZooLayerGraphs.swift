// ZooLayerGraphs: each zoo model's evaluation-mode forward pass as a LayerGraph (the layers of its
// `forward`, in order, with the same strides and paddings), next to nothing else: the ONNX export
// lowers these, and its tests check each against `forward` on random weights and statistics.

extension MLP {
    /// flatten → (fc → ReLU) × L → fc.
    public var layerGraph: LayerGraph? {
        var g = LayerGraph()
        var h = g.add(.flatten, g.input)
        for i in layers.indices {
            h = g.add(.linear(prefix: "fc\(i + 1)."), h)
            if i < layers.count - 1 { h = g.add(.relu, h) }
        }
        g.output = h
        return g
    }
}

extension LeNet5 {
    /// conv1 → maxpool → ReLU → conv2 → maxpool → ReLU → flatten → fc1 → ReLU → fc2 → ReLU → fc3 (pooling
    /// before the ReLU, as `forward` does: the same values).
    public var layerGraph: LayerGraph? {
        var g = LayerGraph()
        var h = g.input
        for (conv, prefix) in [(conv1, "conv1."), (conv2, "conv2.")] {
            h = g.add(.relu, g.add(.maxPool(kernel: 2, stride: 2), g.conv(h, conv, prefix)))
        }
        h = g.add(.flatten, h)
        h = g.add(.relu, g.add(.linear(prefix: "fc1."), h))
        h = g.add(.relu, g.add(.linear(prefix: "fc2."), h))
        g.output = g.add(.linear(prefix: "fc3."), h)
        return g
    }
}

extension BasicBlock {
    /// conv1 → BN → ReLU → conv2 → BN, plus the shortcut (identity or conv1x1 → BN), then ReLU.
    func layerGraph(_ g: inout LayerGraph, _ x: LayerGraph.Value, prefix p: String) -> LayerGraph.Value {
        var h = g.add(.relu, g.batchNorm(g.conv(x, conv1, p + "conv1."), bn1, p + "bn1."))
        h = g.batchNorm(g.conv(h, conv2, p + "conv2."), bn2, p + "bn2.")
        let shortcut = downsample.map { conv, bn in
            g.batchNorm(g.conv(x, conv, p + "downsample.0."), bn, p + "downsample.1.")
        }
        return g.add(.relu, g.add(.add, h, shortcut ?? x))
    }
}

extension ResNet {
    /// conv1 → BN → ReLU → the blocks of layer1…3 → global average pool → fc.
    public var layerGraph: LayerGraph? {
        var g = LayerGraph()
        var h = g.add(.relu, g.batchNorm(g.conv(g.input, conv1, "conv1."), bn1, "bn1."))
        for (s, blocks) in stages.enumerated() {
            for (b, block) in blocks.enumerated() { h = block.layerGraph(&g, h, prefix: "layer\(s + 1).\(b).") }
        }
        g.output = g.add(.linear(prefix: "fc."), g.add(.globalAvgPool, h))
        return g
    }
}

extension WideBlock {
    /// BN → ReLU (pre) → conv1 → BN → ReLU → conv2, plus the shortcut (identity, or conv1x1 of pre).
    func layerGraph(_ g: inout LayerGraph, _ x: LayerGraph.Value, prefix p: String) -> LayerGraph.Value {
        let pre = g.add(.relu, g.batchNorm(x, bn1, p + "bn1."))
        var h = g.add(.relu, g.batchNorm(g.conv(pre, conv1, p + "conv1."), bn2, p + "bn2."))
        h = g.conv(h, conv2, p + "conv2.")
        return g.add(.add, h, shortcut.map { g.conv(pre, $0, p + "convShortcut.") } ?? x)
    }
}

extension WideResNet {
    /// conv1 → the blocks of block1…3 → BN → ReLU → global average pool → fc.
    public var layerGraph: LayerGraph? {
        var g = LayerGraph()
        var h = g.conv(g.input, conv1, "conv1.")
        for (i, blocks) in groups.enumerated() {
            for (b, block) in blocks.enumerated() { h = block.layerGraph(&g, h, prefix: "block\(i + 1).layer.\(b).") }
        }
        h = g.add(.relu, g.batchNorm(h, bn1, "bn1."))
        g.output = g.add(.linear(prefix: "fc."), g.add(.globalAvgPool, h))
        return g
    }
}
