// Lowering+Layers: the layers with weights: Conv (with a folded batch norm and, for the first layer, the
// folded normalisation and its border correction), Gemm (likewise), BatchNormalization when kept.

import KDNN

extension Lowering {
    /// `prefix` without its trailing dot (`layer1.0.conv1`), the base of the layer's names.
    func label(_ prefix: String) -> String { prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix }

    mutating func conv(
        _ x: String, prefix: String, stride: Int, padding: Int, batchNorm bn: (prefix: String, eps: Float)?,
        foldNormalization: Bool, output: Int
    ) throws -> String {
        var (w, shape) = try tensor(prefix + "weight", rank: 4)
        let inShape = builder.shapes[x] ?? []
        guard inShape.count == 3, inShape[0] == shape[1] else {
            throw ExportError("conv '\(label(prefix))': weight \(shape) does not fit an input of \(inShape)")
        }
        let (o, kh, kw) = (shape[0], shape[2], shape[3])
        var b = tensors[prefix + "bias"]
        if let bn {
            let p = try batchNormParams(bn.prefix, channels: o)
            (w, b) = Folding.batchNorm(
                weight: w, bias: b ?? [Float](repeating: 0, count: o), gamma: p[0], beta: p[1], mean: p[2], variance: p[3],
                eps: bn.eps)
        }
        var border: [Float]?
        if foldNormalization {
            border = Folding.borderCorrection(
                weight: w, shape: shape, mean: normalization.mean, std: normalization.std, height: inShape[1], width: inShape[2],
                stride: stride, padding: padding)
            (w, b) = Folding.normalization(
                weight: w, bias: b ?? [Float](repeating: 0, count: o), mean: normalization.mean, std: normalization.std,
                plane: kh * kw)
        }
        let base = label(prefix)
        var inputs = [x, builder.constant(base + ".weight", shape: shape, floats: w)]
        if let b { inputs.append(builder.constant(base + ".bias", shape: [o], floats: b)) }
        let outShape = [o, (inShape[1] + 2 * padding - kh) / stride + 1, (inShape[2] + 2 * padding - kw) / stride + 1]
        let attributes: [ONNX.Attribute] = [
            .init("kernel_shape", .ints([Int64(kh), Int64(kw)])), .init("strides", .ints([Int64(stride), Int64(stride)])),
            .init("pads", .ints([Int64](repeating: Int64(padding), count: 4))),
        ]
        guard let border else { return builder.node("Conv", inputs, name(output, base), shape: outShape, attributes: attributes) }
        let y = builder.node("Conv", inputs, base, shape: outShape, attributes: attributes)
        let map = builder.constant(base + ".border", shape: [1] + outShape, floats: border)
        return builder.node("Add", [y, map], name(output, base + ".border_add"), shape: outShape)
    }

    mutating func linear(_ x: String, prefix: String, foldNormalization: Bool, output: Int) throws -> String {
        var (w, shape) = try tensor(prefix + "weight", rank: 2)
        let inShape = builder.shapes[x] ?? []
        guard inShape == [shape[1]] else {
            throw ExportError("linear '\(label(prefix))': weight \(shape) does not fit an input of \(inShape)")
        }
        var b = tensors[prefix + "bias"]
        if foldNormalization {
            // The input is the flattened image: feature f belongs to channel f / (H·W).
            let channels = normalization.mean.count
            (w, b) = Folding.normalization(
                weight: w, bias: b ?? [Float](repeating: 0, count: shape[0]), mean: normalization.mean, std: normalization.std,
                plane: shape[1] / channels)
        }
        let base = label(prefix)
        var inputs = [x, builder.constant(base + ".weight", shape: shape, floats: w)]
        if let b { inputs.append(builder.constant(base + ".bias", shape: [shape[0]], floats: b)) }
        return builder.node("Gemm", inputs, name(output, base), shape: [shape[0]], attributes: [.init("transB", .int(1))])
    }

    mutating func batchNorm(_ x: String, prefix: String, eps: Float, output: Int) throws -> String {
        let inShape = builder.shapes[x] ?? []
        guard let channels = inShape.first else { throw ExportError("batch norm '\(label(prefix))': input without channels") }
        let p = try batchNormParams(prefix, channels: channels)
        let base = label(prefix)
        let inputs =
            [x]
            + zip(["scale", "bias", "mean", "var"], p).map { key, v in
                builder.constant(base + "." + key, shape: [channels], floats: v)
            }
        keptBatchNorms += 1
        return builder.node(
            "BatchNormalization", inputs, name(output, base), shape: inShape, attributes: [.init("epsilon", .float(eps))])
    }
}
