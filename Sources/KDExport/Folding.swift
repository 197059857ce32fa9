// Folding: the arithmetic that removes evaluation-mode batch norms and the input normalisation from an
// exported graph by rewriting the weights of the layer next to them (in Double, rounded once to Float).
// BN after a conv: w' = w·γ/√(var+ε), b' = (b − mean)·γ/√(var+ε) + β, per output channel.
// Normalisation before the first layer: w' = w/std, b' = b − Σ w·mean/std, per input channel.

/// Weight rewriting for folded exports.
public enum Folding {
    /// Folds a batch norm (γ, β, running mean and variance, ε) into the preceding layer whose weight is
    /// `weight` (`[O, ...]`, row-major) and bias `bias` (`[O]`).
    public static func batchNorm(
        weight: [Float], bias: [Float], gamma: [Float], beta: [Float], mean: [Float], variance: [Float], eps: Float
    ) -> (weight: [Float], bias: [Float]) {
        let outChannels = bias.count
        let per = weight.count / max(outChannels, 1)
        var w = weight, b = bias
        for o in 0..<outChannels {
            let scale = Double(gamma[o]) / (Double(variance[o]) + Double(eps)).squareRoot()
            for k in 0..<per { w[o * per + k] = Float(Double(weight[o * per + k]) * scale) }
            b[o] = Float((Double(bias[o]) - Double(mean[o])) * scale + Double(beta[o]))
        }
        return (w, b)
    }

    /// Folds `(x − mean[c]) / std[c]` into a layer reading it: `weight` is `[O, C·plane]` viewed as
    /// `[O, C, plane]` (a conv's `[O, C, kh, kw]` with plane = kh·kw, or a linear layer after flattening
    /// `[C, H, W]` with plane = H·W). Returns w' = w/std and b' = b − Σ w·mean/std.
    public static func normalization(
        weight: [Float], bias: [Float], mean: [Float], std: [Float], plane: Int
    ) -> (weight: [Float], bias: [Float]) {
        let outChannels = bias.count, channels = mean.count
        var w = weight, b = bias
        for o in 0..<outChannels {
            var shift = 0.0
            for c in 0..<channels {
                for k in 0..<plane {
                    let i = (o * channels + c) * plane + k
                    shift += Double(weight[i]) * Double(mean[c]) / Double(std[c])
                    w[i] = Float(Double(weight[i]) / Double(std[c]))
                }
            }
            b[o] = Float(Double(bias[o]) - shift)
        }
        return (w, b)
    }

    /// What a padded convolution of normalised input adds back after folding: the folded bias subtracts
    /// Σ w·mean/std over every tap, but zero padding of raw pixels is not zero padding of normalised ones,
    /// so taps that fall outside the image must not be subtracted. Returns, per output position,
    /// Σ over outside taps of w[o, c, i, j]·mean[c]/std[c] (`[O, Ho, Wo]`), or nil when it is zero
    /// everywhere (no padding, or zero means). `weight` is the unfolded `[O, C, k, k]`.
    public static func borderCorrection(
        weight: [Float], shape: [Int], mean: [Float], std: [Float], height: Int, width: Int, stride: Int, padding: Int
    ) -> [Float]? {
        guard padding > 0, mean.contains(where: { $0 != 0 }), shape.count == 4 else { return nil }
        let (o, c, kh, kw) = (shape[0], shape[1], shape[2], shape[3])
        let ho = (height + 2 * padding - kh) / stride + 1, wo = (width + 2 * padding - kw) / stride + 1
        var out = [Float](repeating: 0, count: o * ho * wo)
        var nonzero = false
        for oc in 0..<o {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var s = 0.0
                    for ic in 0..<c {
                        let shift = Double(mean[ic]) / Double(std[ic])
                        for i in 0..<kh {
                            for j in 0..<kw {
                                let y = oy * stride - padding + i, x = ox * stride - padding + j
                                guard y < 0 || y >= height || x < 0 || x >= width else { continue }
                                s += Double(weight[((oc * c + ic) * kh + i) * kw + j]) * shift
                            }
                        }
                    }
                    out[(oc * ho + oy) * wo + ox] = Float(s)
                    nonzero = nonzero || s != 0
                }
            }
        }
        return nonzero ? out : nil
    }
}
