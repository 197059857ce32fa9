// PixelSpace: the threat model's coordinates. Attacks move images in [0, 1] pixel space; the network
// sees (x − μ_c)/σ_c, the normalisation of its checkpoint, applied inside the attacked function.

import KDTensor

/// A model's per-channel input normalisation, mapping [0, 1] pixels to what the network reads.
public struct PixelSpace: Equatable, Sendable {
    /// Per-channel mean μ_c and standard deviation σ_c (pixel units).
    public let mean: [Float], std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && std.allSatisfy { $0 > 0 }, "PixelSpace: \(mean) / \(std)")
        (self.mean, self.std) = (mean, std)
    }

    /// Pixels `[N, C, H, W]` in [0, 1] → network input (x − μ_c)/σ_c.
    public func normalized(_ pixels: Tensor) -> Tensor { map(pixels) { x, c in (x - mean[c]) / std[c] } }

    /// Network input → pixels, clipped to [0, 1] (a loader's batch back in the threat model's space).
    public func pixels(_ normalized: Tensor) -> Tensor {
        map(normalized) { z, c in Swift.min(1, Swift.max(0, z * std[c] + mean[c])) }
    }

    /// `f` applied per element with its channel index, into a new tensor (not recorded).
    private func map(_ t: Tensor, _ f: (Float, Int) -> Float) -> Tensor {
        precondition(t.rank == 4 && t.shape[1] == mean.count, "PixelSpace: \(t.shape) for \(mean.count) channels")
        let plane = t.shape[2] * t.shape[3], c = mean.count
        let out = Tensor(uninitialized: t.shape)
        let (src, dst) = (t.data, out.data)
        for image in 0..<t.shape[0] {
            for ch in 0..<c {
                let base = (image * c + ch) * plane
                for i in base..<base + plane { dst[i] = f(src[i], ch) }
            }
        }
        return out
    }
}
