// ONNXInterpreter: runs an ONNX graph made of the ops kdistill exports (Conv, Gemm, Relu, Add, Sub, Div,
// MaxPool, GlobalAveragePool, Flatten, BatchNormalization, and QDQ's QuantizeLinear/DequantizeLinear,
// ONNXInterpreter+QDQ.swift), node by node on KDTensor: the reference the
// export's tests and `kdistill export`'s self-check compare with the model's own forward pass. Every
// attribute outside that subset, every shape that does not fit, is an error, not a guess.

import KDTensor

/// Evaluates decoded ONNX models.
public enum ONNXInterpreter {
    /// Runs `model` on `input` (fed to its first graph input) and returns its first output. With
    /// `checkBatch` false the leading dimension of declared shapes may differ from the input's.
    public static func run(_ model: ONNX.Model, input: Tensor, checkBatch: Bool = true) throws -> Tensor {
        let graph = model.graph
        guard let inputInfo = graph.inputs.first, let outputInfo = graph.outputs.first else {
            throw ExportError(
                "graph '\(graph.name)': expected an input and an output, found \(graph.inputs.count) and \(graph.outputs.count)")
        }
        var declared: [String: [ONNX.Dimension]] = [:]
        for v in graph.inputs + graph.outputs + graph.valueInfo { declared[v.name] = v.shape }
        var values: [String: Tensor] = [:]
        var types: [String: ONNX.DataType] = [:]
        for t in graph.initializers {
            values[t.name] = try constant(t)
            types[t.name] = t.dataType
        }
        func check(_ name: String, _ t: Tensor) throws {
            guard let dims = declared[name] else { return }
            let fits =
                dims.count == t.rank
                && zip(dims, t.shape).enumerated().allSatisfy { k, pair in
                    if case .value(let v) = pair.0 { return (!checkBatch && k == 0) || Int(v) == pair.1 }
                    return true
                }
            guard fits else { throw ExportError("value '\(name)': declared \(dims.map(text)), computed \(t.shape)") }
        }
        try check(inputInfo.name, input)
        values[inputInfo.name] = input
        for node in graph.nodes {
            let inputs = try node.inputs.map { name in
                guard let t = values[name] else {
                    throw ExportError("node '\(node.name)': input '\(name)' is not computed before it")
                }
                return t
            }
            guard node.outputs.count == 1, node.domain.isEmpty else {
                throw ExportError("node '\(node.name)': expected one output in the default domain")
            }
            let y = try noGrad { try evaluate(node, inputs, types: node.inputs.map { types[$0] }) }
            if node.opType == "QuantizeLinear" {
                types[node.outputs[0]] = node.inputs.count == 3 ? types[node.inputs[2]] : .uint8
            }
            try check(node.outputs[0], y)
            values[node.outputs[0]] = y
        }
        guard let out = values[outputInfo.name] else { throw ExportError("output '\(outputInfo.name)' is never computed") }
        return out
    }

    static func text(_ d: ONNX.Dimension) -> String {
        switch d {
        case .value(let v): return String(v)
        case .param(let p): return p
        }
    }

    /// One node's output; `types` are the element types of its inputs where known (integer values are
    /// held in Float tensors, exactly up to 2^24; QuantizeLinear saturates to its zero point's type).
    public static func evaluate(_ node: ONNX.Node, _ x: [Tensor], types: [ONNX.DataType?] = []) throws -> Tensor {
        func fail(_ what: String) -> ExportError { ExportError("\(node.opType) '\(node.name)': \(what)") }
        func arity(_ counts: ClosedRange<Int>) throws {
            guard counts.contains(x.count) else { throw fail("expected \(counts) inputs, found \(x.count)") }
        }
        switch node.opType {
        case "Conv":
            try arity(2...3)
            return try conv(node, x, fail)
        case "Gemm":
            try arity(2...3)
            guard node.int("transA", 0) == 0, node.int("transB", 0) == 1, node.float("alpha", 1) == 1, node.float("beta", 1) == 1
            else { throw fail("only transA 0, transB 1, alpha 1, beta 1 are read") }
            guard x[0].rank == 2, x[1].rank == 2, x[0].shape[1] == x[1].shape[1], x.count < 3 || x[2].shape == [x[1].shape[0]]
            else {
                throw fail("A \(x[0].shape), B \(x[1].shape) do not multiply as A·Bᵀ + C")
            }
            return linear(x[0], weight: x[1], bias: x.count == 3 ? x[2] : nil)
        case "Relu":
            try arity(1...1)
            return x[0].relu()
        case "Add", "Sub", "Div":
            try arity(2...2)
            guard broadcasts(x[0].shape, x[1].shape) else {
                throw fail("shapes \(x[0].shape) and \(x[1].shape) do not broadcast")
            }
            return node.opType == "Add" ? x[0] + x[1] : node.opType == "Sub" ? x[0] - x[1] : x[0] / x[1]
        case "MaxPool":
            try arity(1...1)
            let k = node.ints("kernel_shape"), s = node.ints("strides") ?? [1, 1], p = node.ints("pads") ?? [0, 0, 0, 0]
            guard x[0].rank == 4, let k, k.count == 2, k[0] == k[1], s.count == 2, s[0] == s[1], p.allSatisfy({ $0 == 0 }),
                node.int("ceil_mode", 0) == 0, (node.ints("dilations") ?? [1, 1]).allSatisfy({ $0 == 1 }),
                x[0].shape[2] >= k[0], x[0].shape[3] >= k[0]
            else { throw fail("expected a 4-D input, a square kernel no larger than it, equal strides, no padding") }
            return maxPool2d(x[0], kernel: Int(k[0]), stride: Int(s[0]))
        case "GlobalAveragePool":
            try arity(1...1)
            guard x[0].rank == 4 else { throw fail("expected a 4-D input, found \(x[0].shape)") }
            return globalAvgPool2d(x[0]).reshaped([x[0].shape[0], x[0].shape[1], 1, 1])
        case "Flatten":
            try arity(1...1)
            let axis = Int(node.int("axis", 1))
            guard axis >= 0, axis <= x[0].rank else { throw fail("axis \(axis) outside 0...\(x[0].rank)") }
            return x[0].reshaped([x[0].shape[..<axis].reduce(1, *), x[0].shape[axis...].reduce(1, *)])
        case "QuantizeLinear":
            try arity(2...3)
            return try quantizeLinear(node, x, type: types.count > 2 ? types[2] ?? .uint8 : .uint8, fail)
        case "DequantizeLinear":
            try arity(2...3)
            return try dequantizeLinear(node, x, fail)
        case "BatchNormalization":
            try arity(5...5)
            return try batchNorm(x, eps: node.float("epsilon", 1e-5), training: node.int("training_mode", 0), fail)
        default:
            throw fail("not an op kdistill exports")
        }
    }

    /// Whether NumPy-style broadcasting joins the two shapes.
    static func broadcasts(_ a: [Int], _ b: [Int]) -> Bool {
        zip(a.reversed(), b.reversed()).allSatisfy { $0 == $1 || $0 == 1 || $1 == 1 }
    }

    static func conv(_ node: ONNX.Node, _ x: [Tensor], _ fail: (String) -> ExportError) throws -> Tensor {
        let (input, w) = (x[0], x[1])
        guard input.rank == 4, w.rank == 4, input.shape[1] == w.shape[1] else {
            throw fail("input \(input.shape) and weight \(w.shape) do not convolve")
        }
        let s = node.ints("strides") ?? [1, 1], p = node.ints("pads") ?? [0, 0, 0, 0]
        guard s.count == 2, s[0] == s[1], s[0] > 0, p.count == 4, Set(p).count == 1, p[0] >= 0,
            node.int("group", 1) == 1, (node.ints("dilations") ?? [1, 1]).allSatisfy({ $0 == 1 }),
            node.ints("kernel_shape").map({ $0 == [Int64(w.shape[2]), Int64(w.shape[3])] }) ?? true,
            x.count < 3 || x[2].shape == [w.shape[0]],
            input.shape[2] + 2 * Int(p[0]) >= w.shape[2], input.shape[3] + 2 * Int(p[0]) >= w.shape[3]
        else { throw fail("expected equal strides, equal pads, group 1, no dilation and a kernel that fits") }
        return conv2d(input, weight: w, bias: x.count == 3 ? x[2] : nil, stride: Int(s[0]), padding: Int(p[0]))
    }

    /// Inference-mode batch norm: `(x − mean) / √(var + ε) · scale + B` per channel (axis 1).
    static func batchNorm(_ x: [Tensor], eps: Float, training: Int64, _ fail: (String) -> ExportError) throws -> Tensor {
        let input = x[0]
        guard training == 0, input.rank >= 2, x[1...].allSatisfy({ $0.shape == [input.shape[1]] }) else {
            throw fail("expected inference mode and per-channel parameters of \(input.shape.dropFirst().first ?? 0) values")
        }
        let (c, plane) = (input.shape[1], input.shape[2...].reduce(1, *))
        let out = Tensor(uninitialized: input.shape)
        for n in 0..<input.shape[0] {
            for ch in 0..<c {
                let scale = x[1].data[ch] / (x[4].data[ch] + eps).squareRoot()
                for k in 0..<plane {
                    let i = (n * c + ch) * plane + k
                    out.data[i] = (input.data[i] - x[3].data[ch]) * scale + x[2].data[ch]
                }
            }
        }
        return out
    }
}

extension ONNX.Node {
    /// An INT attribute, or `fallback` when absent.
    func int(_ name: String, _ fallback: Int64) -> Int64 {
        if case .int(let v)? = attribute(name) { return v }
        return fallback
    }

    /// A FLOAT attribute, or `fallback` when absent.
    func float(_ name: String, _ fallback: Float) -> Float {
        if case .float(let v)? = attribute(name) { return v }
        return fallback
    }

    /// An INTS attribute, or nil when absent.
    func ints(_ name: String) -> [Int64]? {
        if case .ints(let v)? = attribute(name) { return v }
        return nil
    }
}
