// Normalization: per-channel mean and standard deviation of pixel/255, fitted on a training set
// (in Double, from byte histograms) and stored in checkpoints so evaluation uses the same values.

import Foundation

/// Per-channel affine normalisation: `x = (pixel / 255 - mean[c]) / std[c]`.
public struct Normalization: Codable, Equatable, Sendable {
    /// Mean of pixel/255 per channel.
    public var mean: [Float]
    /// Standard deviation of pixel/255 per channel (population).
    public var std: [Float]

    /// Normalisation with the given per-channel statistics.
    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// No-op beyond scaling to [0, 1]: mean 0, std 1 on each of `channels`.
    public static func identity(channels: Int) -> Normalization {
        Normalization(mean: [Float](repeating: 0, count: channels), std: [Float](repeating: 1, count: channels))
    }

    /// Mean and std of pixel/255 per channel over all of `ds` (a constant channel gets std 1).
    public static func fit(_ ds: ImageDataset) -> Normalization {
        let plane = ds.height * ds.width
        var histogram = [[Int]](repeating: [Int](repeating: 0, count: 256), count: ds.channels)
        ds.pixels.withUnsafeBufferPointer { px in
            for c in 0..<ds.channels {
                histogram[c].withUnsafeMutableBufferPointer { h in
                    for n in 0..<ds.count {
                        let base = n * ds.imageSize + c * plane
                        for k in 0..<plane { h[Int(px[base + k])] += 1 }
                    }
                }
            }
        }
        var mean: [Float] = [], std: [Float] = []
        for h in histogram {
            let total = Double(h.reduce(0, +))
            guard total > 0 else { mean.append(0); std.append(1); continue }
            var s = 0.0
            for (v, n) in h.enumerated() { s += Double(n) * Double(v) / 255 }
            let m = s / total
            var ss = 0.0
            for (v, n) in h.enumerated() { let d = Double(v) / 255 - m; ss += Double(n) * d * d }
            let sd = (ss / total).squareRoot()
            mean.append(Float(m))
            std.append(sd > 1e-12 ? Float(sd) : 1)
        }
        return Normalization(mean: mean, std: std)
    }

    /// Checks the statistics fit `channels` channels and every std is positive and finite.
    public func validate(channels: Int, context: String = "normalization") throws {
        guard mean.count == channels, std.count == channels else {
            throw DataError(
                file: context, expected: "\(channels) mean and std values",
                found: "\(mean.count) mean, \(std.count) std")
        }
        if let bad = std.first(where: { !($0 > 0) || !$0.isFinite }) {
            throw DataError(file: context, expected: "positive finite std values", found: "\(bad)")
        }
        if let bad = mean.first(where: { !$0.isFinite }) {
            throw DataError(file: context, expected: "finite mean values", found: "\(bad)")
        }
    }

    /// 256-entry table per channel mapping a byte to its normalised value (`[C, 256]`, flattened).
    func lookupTable() -> [Float] {
        var table = [Float](repeating: 0, count: mean.count * 256)
        for c in 0..<mean.count {
            for v in 0..<256 {
                table[c * 256 + v] = Float((Double(v) / 255 - Double(mean[c])) / Double(std[c]))
            }
        }
        return table
    }
}
