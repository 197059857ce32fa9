// QDQExport: an int8 model as an ONNX QDQ graph (opset 17): the normalisation as Sub/Div nodes, then
// every conv and linear layer reads QuantizeLinear→DequantizeLinear of its input (uint8, per tensor), an
// int8 weight through DequantizeLinear (per axis 0) and an int32 bias through DequantizeLinear at scale
// s_x·s_w (per axis 0); the other nodes are the folded float graph's. Runtimes fuse the pattern into int8 kernels.

import KDExport
import KDNN
import KDTensor

/// Int8 model → ONNX QDQ model.
public enum QDQExport {
    /// The QDQ graph of `model`, reading pixels/255 `[N, C, H, W]` normalised with `normalization`.
    public static func model(
        _ model: QuantizedModel, normalization: CheckpointMetadata.Normalization, metadata: [ONNX.StringPair] = [],
        producerVersion: String = ""
    ) throws -> ONNX.Model {
        let graph = model.program.graph
        var builder = ONNXGraphBuilder(name: graph.name + "_int8", batch: .param("batch"))
        var shapes: [String: [Int]] = [:]
        for v in graph.inputs + graph.valueInfo + graph.outputs {
            shapes[v.name] = v.shape.dropFirst().map { if case .value(let d) = $0 { return Int(d) } else { return 0 } }
        }
        var names: [String: String] = [:]
        guard let input = graph.inputs.first?.name, let output = graph.outputs.first?.name else {
            throw QuantError("graph '\(graph.name)': expected an input and an output")
        }
        var x = builder.input(ONNXExport.inputName, shape: model.spec.inputShape)
        let c = normalization.mean.count
        if !(normalization.mean.allSatisfy { $0 == 0 } && normalization.std.allSatisfy { $0 == 1 }) {
            let mean = builder.constant("normalization.mean", shape: [1, c, 1, 1], floats: normalization.mean)
            let std = builder.constant("normalization.std", shape: [1, c, 1, 1], floats: normalization.std)
            let centred = builder.node("Sub", [x, mean], "normalization.sub", shape: model.spec.inputShape)
            x = builder.node("Div", [centred, std], "normalization.div", shape: model.spec.inputShape)
        }
        names[input] = x
        for (k, node) in graph.nodes.enumerated() {
            let layer = model.program.layers[k]
            let read = layer == nil ? node.inputs : Array(node.inputs.prefix(1))  // a layer's float weights are replaced
            let ins = try read.map { name -> String in
                if let n = names[name] { return n }
                guard let t = model.floatConstants[name] ?? model.program.constants[name] else {
                    throw QuantError("node '\(node.name)': input '\(name)' is not computed before it")
                }
                let n = builder.constant(name, shape: t.shape, floats: t.scalars)
                names[name] = n
                return n
            }
            let outShape = shapes[node.outputs[0]] ?? []
            let base = node.outputs[0] == output ? ONNXExport.outputName : node.outputs[0]
            guard let l = layer, let q = model.layers[l.name] else {
                names[node.outputs[0]] = builder.node(node.opType, ins, base, shape: outShape, attributes: node.attributes)
                continue
            }
            let inShape = builder.shapes[ins[0]] ?? []
            let s = builder.constant(l.name + ".input_scale", shape: [], floats: [q.input.scale])
            let z = builder.constant(
                ONNX.TensorValue(
                    name: l.name + ".input_zero_point", dims: [], dataType: .uint8, rawData: [UInt8(q.input.zeroPoint)]))
            let quantized = builder.node(
                "QuantizeLinear", [ins[0], s, z], l.name + ".input_q", shape: inShape, elementType: .uint8)
            let xdq = builder.node("DequantizeLinear", [quantized, s, z], l.name + ".input_dq", shape: inShape)
            let w = builder.constant(
                ONNX.TensorValue(
                    name: l.name + ".weight_int8", dims: q.weightShape.map(Int64.init), dataType: .int8,
                    rawData: q.weights.map { UInt8(bitPattern: $0) }))
            let ws = builder.constant(l.name + ".weight_scale", shape: [q.outChannels], floats: q.weightScales)
            let axis0 = [ONNX.Attribute("axis", .int(0))]
            let wdq = builder.node(
                "DequantizeLinear", [w, ws], l.name + ".weight", shape: q.weightShape, attributes: axis0, batched: false)
            let b = builder.constant(
                ONNX.TensorValue(
                    name: l.name + ".bias_int32", dims: [Int64(q.outChannels)], dataType: .int32,
                    rawData: q.bias.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: v) >> (8 * $0)) } })
            )
            let bs = builder.constant(
                l.name + ".bias_scale", shape: [q.outChannels], floats: q.weightScales.map { $0 * q.input.scale })
            let bdq = builder.node(
                "DequantizeLinear", [b, bs], l.name + ".bias", shape: [q.outChannels], attributes: axis0, batched: false)
            names[node.outputs[0]] = builder.node(
                node.opType, [xdq, wdq, bdq], base, shape: outShape, attributes: node.attributes)
        }
        guard let result = names[output] else { throw QuantError("graph '\(graph.name)': its output is never computed") }
        builder.output(result)
        var out = ONNX.Model()
        out.producerVersion = producerVersion
        out.docString =
            "\(model.spec.name) int8 (QDQ): input \(ONNXExport.inputName) = pixels/255 [N, \(model.spec.inputShape.map(String.init).joined(separator: ", "))], output \(ONNXExport.outputName) [N, \(model.spec.numClasses)]"
        out.graph = builder.graph
        out.metadata = metadata + [ONNX.StringPair("quantization", "QDQ: " + QuantizedFile.scheme)]
        return out
    }
}
