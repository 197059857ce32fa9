// ImageView: the deterministic transforms of `data.student_view` (beyond.md §5.1): area downsampling,
// a crop, seeded Gaussian noise, a Gaussian blur, one channel; a list applies them in order. The result is
// again 8-bit images, so normalisation, batching, caching and evaluation treat a view like any dataset.

import Foundation
import KDTensor

/// One transform of a view.
public enum ViewStep: Equatable, Sendable {
    /// Area averaging to `height x width` (each no larger than the input's).
    case downsample(height: Int, width: Int)
    /// The rectangle `height x width` whose top-left pixel is (`top`, `left`).
    case crop(top: Int, left: Int, height: Int, width: Int)
    /// `x + sigma·z`, z standard normal, in [0, 1] pixel space, clipped to [0, 1]; image i of its file draws
    /// from `SeededGenerator(seed: seed, streams: [i])` alone.
    case noise(sigma: Double, seed: UInt64)
    /// Gaussian filter of `sigma` pixels, edges replicated (the `gaussian_blur` corruption's filter).
    case blur(sigma: Double)
    /// Channel `c` alone (one channel out).
    case channel(Int)

    /// The shape `[C, H, W]` after this step, or why it does not apply to `shape` (the expectation, and what was found).
    func outputShape(_ shape: [Int]) -> Result<[Int], DataError> {
        let (c, h, w) = (shape[0], shape[1], shape[2])
        func fail(_ expected: String) -> Result<[Int], DataError> {
            .failure(DataError(file: "", expected: expected, found: "\(c)x\(h)x\(w) images"))
        }
        switch self {
        case let .downsample(oh, ow):
            guard oh >= 1, ow >= 1, oh <= h, ow <= w else {
                return fail("a size of at most \(h)x\(w) to downsample to (\(oh)x\(ow))")
            }
            return .success([c, oh, ow])
        case let .crop(top, left, ch, cw):
            guard top >= 0, left >= 0, ch >= 1, cw >= 1, top + ch <= h, left + cw <= w else {
                return fail("a crop inside the image (rows \(top)..<\(top + ch), columns \(left)..<\(left + cw))")
            }
            return .success([c, ch, cw])
        case let .noise(sigma, _):
            guard sigma >= 0, sigma.isFinite else { return fail("a noise sigma >= 0") }
            return .success(shape)
        case .blur(let sigma):
            guard sigma > 0, sigma.isFinite else { return fail("a blur sigma > 0") }
            return .success(shape)
        case .channel(let k):
            guard k >= 0, k < c else { return fail("a channel in 0..<\(c) (channel \(k))") }
            return .success([1, h, w])
        }
    }
}

/// A list of transforms applied in order to every image of a dataset.
public struct ImageView: Equatable, Sendable {
    public var steps: [ViewStep]

    /// The view applying `steps` in order (none: the images unchanged).
    public init(_ steps: [ViewStep] = []) { self.steps = steps }

    /// Whether the view changes nothing.
    public var isIdentity: Bool { steps.isEmpty }

    /// The image shape `[C, H, W]` after every step; a step that does not fit is a DataError naming
    /// `context` and the step's position (`data.student_view[1]`).
    public func outputShape(_ shape: [Int], context: String) throws -> [Int] {
        var s = shape
        for (k, step) in steps.enumerated() {
            switch step.outputShape(s) {
            case .success(let next): s = next
            case .failure(let e):
                throw DataError(file: steps.count == 1 ? context : "\(context)[\(k)]", expected: e.expected, found: e.found)
            }
        }
        return s
    }

    /// Every image of `dataset` under the view (labels, class names and origins kept). Pixels run as bytes
    /// in [0, 255] (Double) through each step and are rounded to the nearest byte (ties to even) once at the
    /// end. Image i draws its noise from its position in its file (`origin(of: i)`), so a view is the same
    /// for an image whichever subset, split or order it comes in.
    public func apply(_ dataset: ImageDataset, context: String) throws -> ImageDataset {
        if steps.isEmpty { return dataset }
        let inShape = dataset.imageShape
        let outShape = try outputShape(inShape, context: context)
        let (inSize, outSize) = (dataset.imageSize, outShape.reduce(1, *))
        let largest = inSize  // no step enlarges an image
        var out = [UInt8](repeating: 0, count: dataset.count * outSize)
        let kernels = ViewKernels(steps, input: inShape)
        dataset.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                Parallel.chunks(dataset.count, minPerThread: 64) { range in
                    let a = UnsafeMutablePointer<Double>.allocate(capacity: largest)
                    let b = UnsafeMutablePointer<Double>.allocate(capacity: largest)
                    let scratch = UnsafeMutablePointer<Double>.allocate(capacity: kernels.scratchCount)
                    defer { a.deallocate(); b.deallocate(); scratch.deallocate() }
                    for i in range {
                        let base = src.baseAddress! + i * inSize
                        for k in 0..<inSize { a[k] = Double(base[k]) }
                        let result = kernels.run(a, b, scratch: scratch, origin: dataset.origin(of: i))
                        let o = dst.baseAddress! + i * outSize
                        for k in 0..<outSize { o[k] = Self.byte(result[k]) }
                    }
                }
            }
        }
        return ImageDataset(
            unchecked: out, labels: dataset.labels, channels: outShape[0], height: outShape[1], width: outShape[2],
            numClasses: dataset.numClasses, classNames: dataset.classNames, source: dataset.source,
            origins: (0..<dataset.count).map(dataset.origin(of:)))
    }

    /// `x` in [0, 255] rounded to the nearest byte, ties to even (numpy's `rint`); clipped first.
    @inline(__always)
    static func byte(_ x: Double) -> UInt8 {
        guard !x.isNaN else { return 0 }
        return UInt8(min(max(x, 0), 255).rounded(.toNearestOrEven))
    }
}
