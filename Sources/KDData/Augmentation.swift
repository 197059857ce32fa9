// Augmentation: random crop with zero padding and random horizontal flip, as torchvision's
// RandomCrop(size, padding) + RandomHorizontalFlip, applied row by row on normalised floats.

import Foundation
import KDTensor

/// Training-time augmentation settings. Padding is black (raw pixel 0, normalised per channel).
public struct Augmentation: Codable, Equatable, Sendable {
    /// Pixels of zero padding on each side before a random crop back to the original size (0 = off).
    public var cropPadding: Int
    /// Mirror left-right with probability 1/2.
    public var horizontalFlip: Bool

    /// Augmentation with the given settings.
    public init(cropPadding: Int = 0, horizontalFlip: Bool = false) {
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
    }

    /// No augmentation.
    public static let none = Augmentation()

    /// True when anything is applied.
    public var isEnabled: Bool { cropPadding > 0 || horizontalFlip }

    /// Draws one image's parameters: crop offsets in `0...2p` and whether to flip.
    func draw(_ rng: inout SeededGenerator) -> AugmentDraw {
        let span = 2 * cropPadding + 1
        let dy = cropPadding > 0 ? rng.int(below: span) : cropPadding
        let dx = cropPadding > 0 ? rng.int(below: span) : cropPadding
        let flip = horizontalFlip && (rng.next() & 1) == 1
        return AugmentDraw(dy: dy - cropPadding, dx: dx - cropPadding, flip: flip)
    }
}

/// One image's augmentation: output pixel (y, x) reads padded source (y + dy, x + dx), then mirrors.
public struct AugmentDraw: Equatable, Sendable {
    /// Vertical shift of the crop window (`-p...p`).
    public var dy: Int
    /// Horizontal shift of the crop window (`-p...p`).
    public var dx: Int
    /// Mirror the cropped image left-right.
    public var flip: Bool

    /// A draw with the given shifts and flip.
    public init(dy: Int, dx: Int, flip: Bool) {
        self.dy = dy
        self.dx = dx
        self.flip = flip
    }

    /// Writes the augmented image `[C, H, W]` from `src` to `dst`; out-of-image pixels get `pad[c]`.
    /// Works on whole rows: one copy per row plus an in-place reversal when flipping.
    public func apply(
        src: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>,
        channels: Int, height: Int, width: Int, pad: UnsafePointer<Float>
    ) {
        let lo = Swift.max(0, -dx), hi = Swift.min(width, width - dx)
        for c in 0..<channels {
            let plane = c * height * width
            for y in 0..<height {
                let row = dst + plane + y * width
                let sy = y + dy
                guard sy >= 0, sy < height, lo < hi else {
                    row.update(repeating: pad[c], count: width)
                    continue
                }
                if lo > 0 { row.update(repeating: pad[c], count: lo) }
                row.advanced(by: lo).update(from: src + plane + sy * width + lo + dx, count: hi - lo)
                if hi < width { row.advanced(by: hi).update(repeating: pad[c], count: width - hi) }
                if flip {
                    var a = 0, b = width - 1
                    while a < b { let t = row[a]; row[a] = row[b]; row[b] = t; a += 1; b -= 1 }
                }
            }
        }
    }
}
