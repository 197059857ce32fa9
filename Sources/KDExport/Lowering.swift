// Lowering: walks a LayerGraph in order and emits ONNX nodes through an ONNXGraphBuilder: a conv
// absorbs the batch norm that alone reads it, the first layer absorbs the input normalisation, and
// every other step becomes one node (global pooling two: GlobalAveragePool, Flatten).

import KDNN

struct Lowering {
    let layers: LayerGraph
    /// State tensors by name: their values and shapes.
    let tensors: [String: [Float]]
    let shapes: [String: [Int]]
    let options: ONNXExportOptions
    let normalization: CheckpointMetadata.Normalization
    var builder: ONNXGraphBuilder
    /// Where the normalisation ended up: `folded`, `nodes`, or `none` (identity statistics).
    var normalizationPlacement = "none"
    /// Batch norms left as BatchNormalization nodes.
    var keptBatchNorms = 0

    /// Lowers every node for an input of per-image shape `inputShape` `[C, H, W]`.
    mutating func run(inputShape: [Int]) throws {
        let uses = layers.useCounts
        var consumers = [[Int]](repeating: [], count: layers.nodes.count + 1)
        for (k, node) in layers.nodes.enumerated() { for v in node.inputs { consumers[v.id].append(k) } }
        var names = [String?](repeating: nil, count: layers.nodes.count + 1)
        names[0] = builder.input(ONNXExport.inputName, shape: inputShape)
        var foldInto: Int?
        if !(normalization.mean.allSatisfy { $0 == 0 } && normalization.std.allSatisfy { $0 == 1 }) {
            foldInto = options.normalization == .folded ? firstLayer(uses, consumers) : nil
            if foldInto == nil, let input = names[0] { names[0] = normalizationNodes(input) }
            normalizationPlacement = foldInto == nil ? "nodes" : "folded"
        }
        var absorbed = Set<Int>()
        for (k, node) in layers.nodes.enumerated() where !absorbed.contains(k) {
            let ins = try node.inputs.map { v in
                guard let name = names[v.id] else {
                    throw ExportError("layer graph: node \(k) reads value \(v.id) before it exists")
                }
                return name
            }
            var out = k + 1
            switch node.step {
            case .conv(let prefix, let stride, let padding):
                // A batch norm that alone reads this conv is folded into it.
                var bn: (prefix: String, eps: Float)?
                if options.foldBatchNorm, uses[out] == 1, let j = consumers[out].first,
                    case .batchNorm(let p, let eps) = layers.nodes[j].step
                {
                    bn = (p, eps)
                    absorbed.insert(j)
                    out = j + 1
                }
                names[out] = try conv(
                    ins[0], prefix: prefix, stride: stride, padding: padding, batchNorm: bn, foldNormalization: foldInto == k,
                    output: out)
            case .linear(let prefix):
                names[out] = try linear(ins[0], prefix: prefix, foldNormalization: foldInto == k, output: out)
            case .batchNorm(let prefix, let eps):
                names[out] = try batchNorm(ins[0], prefix: prefix, eps: eps, output: out)
            case .relu: names[out] = unary("Relu", ins[0], output: out, base: "relu_\(k)")
            case .add:
                names[out] = builder.node("Add", ins, name(out, "add_\(k)"), shape: builder.shapes[ins[0]] ?? [])
            case .maxPool(let kernel, let stride):
                let s = builder.shapes[ins[0]] ?? []
                guard s.count == 3 else { throw ExportError("max pool \(k): expected a [C, H, W] input, found \(s)") }
                names[out] = builder.node(
                    "MaxPool", ins, name(out, "maxpool_\(k)"),
                    shape: [s[0], (s[1] - kernel) / stride + 1, (s[2] - kernel) / stride + 1],
                    attributes: [
                        .init("kernel_shape", .ints([Int64(kernel), Int64(kernel)])),
                        .init("strides", .ints([Int64(stride), Int64(stride)])),
                    ])
            case .globalAvgPool:
                let s = builder.shapes[ins[0]] ?? []
                guard s.count == 3 else { throw ExportError("global pool \(k): expected a [C, H, W] input, found \(s)") }
                let pooled = builder.node("GlobalAveragePool", ins, "pool_\(k)", shape: [s[0], 1, 1])
                names[out] = builder.node(
                    "Flatten", [pooled], name(out, "pool_\(k).flat"), shape: [s[0]], attributes: [.init("axis", .int(1))])
            case .flatten:
                names[out] = builder.node(
                    "Flatten", ins, name(out, "flatten_\(k)"), shape: [(builder.shapes[ins[0]] ?? []).reduce(1, *)],
                    attributes: [.init("axis", .int(1))])
            }
        }
        guard let result = names[layers.output.id] else { throw ExportError("layer graph: its output is never computed") }
        builder.output(result)
    }

    /// The output name of value `id`: `logits` for the graph's output, else `base`.
    func name(_ id: Int, _ base: String) -> String { id == layers.output.id ? ONNXExport.outputName : base }

    mutating func unary(_ op: String, _ x: String, output: Int, base: String) -> String {
        builder.node(op, [x], name(output, base), shape: builder.shapes[x] ?? [])
    }

    /// The node that reads the input first, when the normalisation can be folded into it: a conv reading
    /// the input, or a linear layer reading its flattening; nil otherwise.
    func firstLayer(_ uses: [Int], _ consumers: [[Int]]) -> Int? {
        guard uses[0] == 1, let k = consumers[0].first else { return nil }
        switch layers.nodes[k].step {
        case .conv: return k
        case .flatten:
            guard uses[k + 1] == 1, let j = consumers[k + 1].first, case .linear = layers.nodes[j].step else { return nil }
            return j
        default: return nil
        }
    }

    /// `(x − mean) / std` as Sub and Div nodes with `[1, C, 1, 1]` constants.
    mutating func normalizationNodes(_ x: String) -> String {
        let c = normalization.mean.count
        let mean = builder.constant("normalization.mean", shape: [1, c, 1, 1], floats: normalization.mean)
        let std = builder.constant("normalization.std", shape: [1, c, 1, 1], floats: normalization.std)
        let shape = builder.shapes[x] ?? []
        let centred = builder.node("Sub", [x, mean], "normalization.sub", shape: shape)
        return builder.node("Div", [centred, std], "normalization.div", shape: shape)
    }

    /// The tensor `name` with its shape, checked to have `rank` dims.
    func tensor(_ name: String, rank: Int) throws -> ([Float], [Int]) {
        guard let values = tensors[name], let shape = shapes[name], shape.count == rank else {
            throw ExportError(
                "tensor '\(name)': expected a rank-\(rank) tensor in the model's state, found \(shapes[name].map { "\($0)" } ?? "none")"
            )
        }
        return (values, shape)
    }

    /// γ, β, running mean and variance of the batch norm at `prefix`, each of `channels` values.
    func batchNormParams(_ prefix: String, channels: Int) throws -> [[Float]] {
        try ["weight", "bias", "running_mean", "running_var"].map { key in
            let (v, s) = try tensor(prefix + key, rank: 1)
            guard s == [channels] else { throw ExportError("tensor '\(prefix)\(key)': expected [\(channels)], found \(s)") }
            return v
        }
    }
}
