// AttentionMap: the spatial attention of one feature tap for one image (Zagoruyko & Komodakis 2017):
// the sum over channels of squared activations, as FeatureMaps.attention computes it, scaled so the
// largest value is 1, and its bilinear upsampling to the input's size.

import KDMethods
import KDNN
import KDTensor

/// The attention map of one tap for one image.
public struct AttentionMap {
    /// The tap it was computed from (`layer1`).
    public let tap: String
    /// Spatial size of the tap.
    public let height: Int, width: Int
    /// `[H, W]` row-major, in [0, 1], the maximum 1 (a map of zeros stays zero).
    public let values: [Float]

    /// The map of image 0 of `feature` `[N, C, H, W]`.
    public init(tap: String, feature: Tensor) throws {
        guard feature.rank == 4, feature.shape[0] >= 1 else {
            throw RunInputError("tap \(tap): expected a feature map [N, C, H, W], found shape \(feature.shape)")
        }
        let first =
            feature.shape[0] == 1
            ? feature
            : Tensor(
                shape: Array([1] + feature.shape[1...]),
                scalars: Array(feature.scalars[0..<(feature.count / feature.shape[0])]))
        let a = noGrad { FeatureMaps.attention(first, p: 2, channelSum: true) }.scalars  // [1, H·W], L2-normalised
        let top = a.max() ?? 0
        self.tap = tap
        (height, width) = (feature.shape[2], feature.shape[3])
        values = top > 0 && top.isFinite ? a.map { $0 / top } : a.map { _ in 0 }
    }

    /// A map from given values `[H, W]` (tests, other sources).
    public init(tap: String, height: Int, width: Int, values: [Float]) {
        (self.tap, self.height, self.width, self.values) = (tap, height, width, values)
    }

    /// The map resized to `outH × outW`: bilinear with pixel centres aligned, edges clamped.
    public func resized(height outH: Int, width outW: Int) -> [Float] {
        var out = [Float](repeating: 0, count: max(0, outH * outW))
        guard height > 0, width > 0, values.count == height * width else { return out }
        for oy in 0..<outH {
            let sy = min(max((Float(oy) + 0.5) * Float(height) / Float(outH) - 0.5, 0), Float(height - 1))
            let y0 = Int(sy), y1 = min(Int(sy) + 1, height - 1), fy = sy - Float(Int(sy))
            for ox in 0..<outW {
                let sx = min(max((Float(ox) + 0.5) * Float(width) / Float(outW) - 0.5, 0), Float(width - 1))
                let x0 = Int(sx), x1 = min(Int(sx) + 1, width - 1), fx = sx - Float(Int(sx))
                let top = values[y0 * width + x0] * (1 - fx) + values[y0 * width + x1] * fx
                let bottom = values[y1 * width + x0] * (1 - fx) + values[y1 * width + x1] * fx
                out[oy * outW + ox] = top * (1 - fy) + bottom * fy
            }
        }
        return out
    }

    /// The taps drawn by default: the stage outputs with a spatial map, in network order (resnet
    /// `layer1…3`, wrn `block1…3`, lenet5 `conv1, conv2`; `stem` and `.preact` taps left out).
    public static func defaultTaps(_ model: Model, output: ModelOutput) -> [String] {
        model.tapNames.filter { name in
            name != "stem" && !name.contains(".") && (output.taps[name]?.rank ?? 0) == 4
        }
    }
}
