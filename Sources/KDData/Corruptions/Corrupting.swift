// Corrupting: an ImageDataset → its corrupted ImageDataset for (corruption, severity, table, seed):
// bytes to x = byte/255 in Double, the corruption, then clip to [0, 1] and `UInt8(x·255)` (truncation,
// CIFAR-10-C's writer). Images run in parallel; each random one draws from its own stream.

import Foundation
import KDTensor

extension ImageDataset {
    /// This dataset under `corruption` at `severity` (1…5) with `table`'s parameter; labels, shape, class
    /// names and origins are kept. Random corruptions draw image i from `CorruptionStreams.generator(seed, ...)`,
    /// so the result depends on (seed, corruption, severity, image order) only, never on threads.
    public func corrupted(
        _ corruption: Corruption, severity: Int, table: CorruptionTable, seed: UInt64
    ) throws -> ImageDataset {
        guard Severities.range.contains(severity) else {
            throw DataError(file: "severity", expected: "a severity in 1…5", found: "\(severity)")
        }
        if corruption == .brightness, channels != 1, channels != 3 {
            throw DataError(file: source, expected: "1 or 3 channels for brightness", found: "\(channels)")
        }
        let kernel = CorruptionKernel(
            corruption, c: table.parameter(corruption, severity: severity), channels: channels, height: height,
            width: width)
        let size = imageSize
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                Parallel.chunks(count, minPerThread: 16) { range in
                    let x = UnsafeMutableBufferPointer<Double>.allocate(capacity: size)
                    let scratch = UnsafeMutablePointer<Double>.allocate(capacity: kernel.scratchCount)
                    defer { x.deallocate(); scratch.deallocate() }
                    for i in range {
                        let bytes = UnsafeBufferPointer(rebasing: src[(i * size)..<((i + 1) * size)])
                        for k in 0..<size { x[k] = Double(bytes[k]) / 255 }
                        var rng = CorruptionStreams.generator(seed, corruption: corruption, severity: severity, image: i)
                        kernel.apply(x, bytes: bytes, rng: &rng, scratch: scratch)
                        for k in 0..<size { dst[i * size + k] = Self.quantize(x[k]) }
                    }
                }
            }
        }
        return replacingPixels(out)
    }

    /// `UInt8(clip(x, 0, 1)·255)`, truncating (NaN, which no corruption produces, gives 0).
    @inline(__always)
    static func quantize(_ x: Double) -> UInt8 {
        guard !x.isNaN else { return 0 }
        return UInt8(min(max(x, 0), 1) * 255)
    }
}

/// One corruption at one parameter, prepared for images of one shape (tables and kernels built once).
struct CorruptionKernel {
    let corruption: Corruption
    let c: Double
    let channels: Int, height: Int, width: Int
    private let poisson: PoissonTable?
    private let blur: GaussianBlur?
    private let pixelate: Pixelate?

    init(_ corruption: Corruption, c: Double, channels: Int, height: Int, width: Int) {
        (self.corruption, self.c, self.channels, self.height, self.width) = (corruption, c, channels, height, width)
        poisson = corruption == .shotNoise ? PoissonTable(c: c) : nil
        blur = corruption == .gaussianBlur ? GaussianBlur(sigma: c) : nil
        pixelate = corruption == .pixelate ? Pixelate(height: height, width: width, c: c) : nil
    }

    /// Doubles of scratch space `apply` needs.
    var scratchCount: Int { 2 * height * width + max(height, width) + 2 * (blur?.radius ?? 0) }

    /// Corrupts one image `x` `[C, H, W]` (values byte/255) in place; `bytes` are its original bytes.
    func apply(
        _ x: UnsafeMutableBufferPointer<Double>, bytes: UnsafeBufferPointer<UInt8>, rng: inout SeededGenerator,
        scratch: UnsafeMutablePointer<Double>
    ) {
        let plane = height * width
        switch corruption {
        case .gaussianNoise: NoiseCorruptions.gaussian(x, c: c, rng: &rng)
        case .shotNoise: if let poisson { NoiseCorruptions.shot(x, bytes: bytes, table: poisson, rng: &rng) }
        case .impulseNoise: NoiseCorruptions.impulse(x, c: c, rng: &rng)
        case .gaussianBlur:
            for ch in 0..<channels { blur?.apply(x.baseAddress! + ch * plane, height: height, width: width, scratch: scratch) }
        case .contrast: PhotometricCorruptions.contrast(x, channels: channels, plane: plane, c: c)
        case .brightness: PhotometricCorruptions.brightness(x, channels: channels, plane: plane, c: c)
        case .pixelate:
            for ch in 0..<channels { pixelate?.apply(x.baseAddress! + ch * plane, scratch: scratch) }
        }
    }
}
