// QuantizedLayer: one conv or linear layer in int8 (Int8Scheme): per-channel int8 weights, an int32
// bias, the uint8 parameters of its input; its forward quantizes the float input (channels-last for a
// conv), runs the integer GEMM (im2col + Int8Gemm) and dequantizes: y[o] = s_x·s_w[o]·(acc[o] + bias[o]).

import KDNN
import KDTensor

/// A conv or linear layer quantized with `Int8Scheme`.
public struct QuantizedLayer: Sendable {
    /// Conv geometry (square kernels as the zoo uses), or a linear layer.
    public enum Kind: Equatable, Sendable {
        case conv(kernel: Int, stride: Int, padding: Int)
        case linear
    }

    /// The layer name (`layer1.0.conv1`: its weight's name without `.weight`).
    public let name: String
    public let kind: Kind
    /// The float weight's shape: `[O, C, k, k]` or `[O, I]`.
    public let weightShape: [Int]
    /// int8 weights `[O, K]` row-major, K = C·k·k or I.
    public let weights: [Int8]
    /// Per-output-channel weight scales `[O]`.
    public let weightScales: [Float]
    /// int32 bias at scale s_x·s_w[o] `[O]`.
    public let bias: [Int32]
    /// The uint8 parameters of the input.
    public let input: QuantParams
    /// Σ_k weights[o, k], for the zero-point correction.
    let rowSums: [Int32]
    /// The weights as the GEMM reads them: a conv's rows in the patches' order `(i, j, c)`
    /// (`[O, k, k, C]`), each row zero-padded to `paddedDepth` (`Int8Gemm.depthAlignment`: no scalar tail).
    let paddedWeights: [Int8]

    public var outChannels: Int { weightShape[0] }
    var depth: Int { weights.count / max(outChannels, 1) }
    var paddedDepth: Int { Self.padded(depth) }

    /// `depth` rounded up to `Int8Gemm.depthAlignment`.
    static func padded(_ depth: Int) -> Int {
        (depth + Int8Gemm.depthAlignment - 1) / Int8Gemm.depthAlignment * Int8Gemm.depthAlignment
    }

    /// A layer from stored integers (a quantized file).
    public init(
        name: String, kind: Kind, weightShape: [Int], weights: [Int8], weightScales: [Float], bias: [Int32], input: QuantParams
    ) {
        (self.name, self.kind, self.weightShape, self.weights) = (name, kind, weightShape, weights)
        (self.weightScales, self.bias, self.input) = (weightScales, bias, input)
        let o = weightShape[0], k = weights.count / max(weightShape[0], 1), kp = Self.padded(k)
        rowSums = Int8Gemm.rowSums(weights, n: o, k: k)
        var padded = [Int8](repeating: 0, count: o * kp)
        if case .conv = kind, weightShape.count == 4 {
            // [O, C, kh, kw] → [O, kh, kw, C], the order of the channels-last patches.
            let (ch, kh, kw) = (weightShape[1], weightShape[2], weightShape[3])
            for r in 0..<o {
                for c in 0..<ch {
                    for i in 0..<kh {
                        for j in 0..<kw { padded[r * kp + (i * kw + j) * ch + c] = weights[r * k + (c * kh + i) * kw + j] }
                    }
                }
            }
        } else {
            for r in 0..<o { for c in 0..<k { padded[r * kp + c] = weights[r * k + c] } }
        }
        paddedWeights = padded
    }

    /// Quantizes float `weight` (shape `weightShape`) and `bias` for inputs observed in `range` (Int8Scheme).
    public static func quantizing(
        name: String, kind: Kind, weight: [Float], weightShape: [Int], bias: [Float]?, range: QuantRange
    ) -> QuantizedLayer {
        let o = weightShape[0], per = weight.count / o
        let params = Int8Scheme.weightParams(weight, outChannels: o)
        let input = Int8Scheme.activationParams(min: range.lo, max: range.hi)
        var q = [Int8](repeating: 0, count: weight.count)
        for c in 0..<o { for k in 0..<per { q[c * per + k] = Int8(params[c].quantize(weight[c * per + k])) } }
        let b = (0..<o).map { c in
            Int8Scheme.quantizedBias(bias?[c] ?? 0, inputScale: input.scale, weightScale: params[c].scale)
        }
        return QuantizedLayer(
            name: name, kind: kind, weightShape: weightShape, weights: q, weightScales: params.map(\.scale), bias: b, input: input
        )
    }

    /// The layer on float input `[N, C, H, W]` (conv) or `[N, I]` (linear), returning dequantized floats.
    public func forward(_ x: Tensor) -> Tensor {
        let n = x.shape[0], per = x.count / max(n, 1), kp = paddedDepth, o = outChannels
        let scales = weightScales.map { $0 * input.scale }
        switch kind {
        case .linear:
            // Rows quantized into a [N, kp] buffer whose padding columns meet zero weights.
            var qx = [UInt8](repeating: 0, count: n * kp)
            var acc = [Int32](repeating: 0, count: n * o)
            qx.withUnsafeMutableBufferPointer { q in
                acc.withUnsafeMutableBufferPointer { a in
                    paddedWeights.withUnsafeBufferPointer { w in
                        rowSums.withUnsafeBufferPointer { s in
                            let (qb, ab, wb, sb) = (q.baseAddress!, a.baseAddress!, w.baseAddress!, s.baseAddress!)
                            Parallel.chunks(n, minPerThread: 8) { rows in
                                for r in rows { Int8Im2col.quantize(x.data + r * per, count: per, input, into: qb + r * kp) }
                                Int8Gemm.multiply(
                                    a: qb + rows.lowerBound * kp, aZero: input.zeroPoint, b: wb, bRowSums: sb, m: rows.count,
                                    n: o,
                                    k: kp, c: ab + rows.lowerBound * o, rowStride: o, colStride: 1)
                            }
                        }
                    }
                }
            }
            let out = Tensor(uninitialized: [n, o])
            for i in 0..<n { for c in 0..<o { out.data[i * o + c] = scales[c] * Float(acc[i * o + c] &+ bias[c]) } }
            return out
        case .conv(let kernel, let stride, let padding):
            let (ch, h, w) = (x.shape[1], x.shape[2], x.shape[3])
            let ho = (h + 2 * padding - kernel) / stride + 1, wo = (w + 2 * padding - kernel) / stride + 1, p = ho * wo
            let out = Tensor(uninitialized: [n, o, ho, wo])
            let (inData, outData) = (UnsafePointer(x.data), out.data)
            paddedWeights.withUnsafeBufferPointer { wq in
                rowSums.withUnsafeBufferPointer { s in
                    Parallel.chunks(n) { images in
                        // The image, its slack, then the transpose's scratch; the patches and their slack.
                        let qx = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * per + Int8Im2col.slack)
                        let patches = UnsafeMutablePointer<UInt8>.allocate(capacity: p * kp + Int8Im2col.slack)
                        let acc = UnsafeMutablePointer<Int32>.allocate(capacity: o * p)
                        defer { qx.deallocate(); patches.deallocate(); acc.deallocate() }
                        // The padding columns meet zero weights (only junk from patches' word copies lands there).
                        patches.initialize(repeating: 0, count: p * kp + Int8Im2col.slack)
                        qx.initialize(repeating: 0, count: 2 * per + Int8Im2col.slack)
                        for img in images {
                            Int8Im2col.quantizeToChannelsLast(
                                inData + img * per, channels: ch, height: h, width: w, input,
                                scratch: qx + per + Int8Im2col.slack, into: qx)
                            Int8Im2col.patches(
                                qx, channels: ch, height: h, width: w, kernelH: kernel, kernelW: kernel, stride: stride,
                                padding: padding, zero: UInt8(input.zeroPoint), into: patches, rowStride: kp)
                            Int8Gemm.multiply(
                                a: patches, aZero: input.zeroPoint, b: wq.baseAddress!, bRowSums: s.baseAddress!, m: p, n: o,
                                k: kp, c: acc, rowStride: 1, colStride: p)
                            let y = outData + img * o * p
                            for c in 0..<o {
                                let (sc, bc, row, dst) = (scales[c], bias[c], acc + c * p, y + c * p)
                                for i in 0..<p { dst[i] = sc * Float(row[i] &+ bc) }
                            }
                        }
                    }
                }
            }
            return out
        }
    }
}
