// FeatureMaps: shared feature-map helpers of the feature and relation methods: attention maps
// (Zagoruyko & Komodakis 2017), FSP matrices (Yim et al. 2017), batch similarity matrices
// (Tung & Mori 2019), and bringing two maps to a common spatial size.

import KDNN
import KDTensor

/// Feature-map transforms used by several methods.
public enum FeatureMaps {
    /// Spatial attention `[B, H·W]`: mean over channels of f^p, flattened, L2-normalised per sample.
    /// f `[B, C, H, W]`. With `channelSum`, the sum over channels instead of the mean (the paper's form).
    public static func attention(_ f: Tensor, p: Float = 2, channelSum: Bool = false) -> Tensor {
        let powered = p == 2 ? f * f : f.abs().pow(p)
        let pooled = channelSum ? powered.sum(axes: [1]) : powered.mean(axes: [1])  // [B, H, W]
        return pooled.flattened(from: 1).l2Normalized(axis: 1, eps: 1e-12)  // [B, H·W]
    }

    /// Gram matrix of two maps of one network: `F1 [B, m, h, w]`, `F2 [B, n, h, w]` → `[B, m, n]`,
    /// `G[b] = F1[b]·F2[b]ᵀ / (h·w)`. The larger map is max-pooled to the smaller first.
    public static func fsp(_ f1: Tensor, _ f2: Tensor) -> Tensor {
        let (a, b) = matchSpatial(f1, f2, pooling: .max)
        let (batch, m, n, hw) = (a.shape[0], a.shape[1], b.shape[1], a.shape[2] * a.shape[3])
        let g = matmul(a.reshaped([batch, m, hw]), b.reshaped([batch, n, hw]), transposeB: true)  // [B, m, n]
        return g * (1 / Float(hw))
    }

    /// Row-normalised batch similarity `[B, B]` of features flattened to `[B, C·H·W]` (SP).
    public static func similarity(_ f: Tensor) -> Tensor {
        let q = f.flattened(from: 1)  // [B, D]
        return matmul(q, q, transposeB: true).l2Normalized(axis: 1)
    }

    /// How `matchSpatial` shrinks the larger map.
    public enum Pooling { case average, max }

    /// Both maps at the smaller spatial size (adaptive pooling of the larger one).
    public static func matchSpatial(_ a: Tensor, _ b: Tensor, pooling: Pooling = .average) -> (Tensor, Tensor) {
        guard a.rank == 4, b.rank == 4, a.shape[2...] != b.shape[2...] else { return (a, b) }
        let (h, w) = (min(a.shape[2], b.shape[2]), min(a.shape[3], b.shape[3]))
        func shrink(_ t: Tensor) -> Tensor {
            if t.shape[2] == h && t.shape[3] == w { return t }
            return pooling == .max ? adaptiveMaxPool2d(t, outH: h, outW: w) : adaptiveAvgPool2d(t, outH: h, outW: w)
        }
        return (shrink(a), shrink(b))
    }

    /// The tap `name` of `output`, or nil.
    public static func tap(_ output: ModelOutput, _ name: String) -> Tensor? { output.taps[name] }
}

/// Soft-target losses shared by KD and its relatives.
public enum SoftTargets {
    /// T² · KL(softmax(zt/T) ‖ softmax(zs/T)), batchmean (Hinton et al. 2015). zt is treated as frozen.
    /// With `standardize`, both logits are z-scored per sample first (LogitStandardization); `sampleWeights`
    /// `[B]` weigh each sample's KL (kd's `class_adaptive`; nil: all 1).
    public static func kd(
        student zs: Tensor, teacher zt: Tensor, temperature t: Float, standardize: Bool = false, sampleWeights: [Float]? = nil
    ) -> Tensor {
        let target = noGrad { (LogitStandardization.apply(zt, standardize) * (1 / t)).logSoftmax() }
        let logProbs = (LogitStandardization.apply(zs, standardize) * (1 / t)).logSoftmax()
        return klDivergence(targetLogProbs: target, logProbs: logProbs, sampleWeights: sampleWeights) * (t * t)
    }

    /// T² · KL(p ‖ softmax(zs/T)) for given target probabilities p `[B, K]` (ensembles, BAN), batchmean.
    /// With `standardize`, the student's logits are z-scored first (the target's were, where it was made).
    public static func kd(
        student zs: Tensor, targetProbabilities p: Tensor, temperature t: Float, standardize: Bool = false
    ) -> Tensor {
        let target = noGrad { p.clamp(min: 1e-30).log() }
        let logProbs = (LogitStandardization.apply(zs, standardize) * (1 / t)).logSoftmax()
        return klDivergence(targetLogProbs: target, logProbs: logProbs) * (t * t)
    }
}

/// Checks that `model` has tap `name`, with a clear error naming the key path otherwise.
public func requireTap(_ model: Model, _ name: String, role: String, key: String) throws {
    guard model.tapNames.contains(name) else {
        throw MethodError(
            "\(key): \(role) \(model.spec.name) has no tap '\(name)' (taps: \(model.tapNames.joined(separator: ", ")))")
    }
}
