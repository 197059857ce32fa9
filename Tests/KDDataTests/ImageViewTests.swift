// ImageViewTests: each transform of `data.student_view` against small examples worked by hand (area
// downsampling by whole and fractional factors, crop, channel, blur, noise), lists applied in order,
// determinism and sample order (noise follows an image's position in its file), and shape errors.

import Foundation
import KDData
import KDTensor
import XCTest

final class ImageViewTests: XCTestCase {
    /// One dataset of `count` images `[c, h, w]` whose bytes are `pixels(i)` for image i (labels i mod 10).
    static func images(_ c: Int, _ h: Int, _ w: Int, count: Int = 1, _ pixels: (Int) -> [UInt8]) throws -> ImageDataset {
        try ImageDataset(
            pixels: (0..<count).flatMap(pixels), labels: (0..<count).map { Int32($0 % 10) }, channels: c, height: h, width: w,
            numClasses: 10, source: "tiny")
    }

    func testDownsampleByAWholeFactorAveragesBlocksAndRoundsTiesToEven() throws {
        // 4x4 → 2x2: each output the mean of a 2x2 block; 2.5 rounds to 2, 3.5 to 4 (ties to even).
        let x = try Self.images(1, 4, 4) { _ in
            [
                0, 4, 10, 20,
                8, 4, 30, 40,
                1, 2, 100, 101,
                3, 4, 100, 101,
            ]
        }
        let y = try ImageView([.downsample(height: 2, width: 2)]).apply(x, context: "view")
        XCTAssertEqual(y.imageShape, [1, 2, 2])
        // Blocks: (0+4+8+4)/4 = 4; (10+20+30+40)/4 = 25; (1+2+3+4)/4 = 2.5 → 2; (100+101+100+101)/4 = 100.5 → 100.
        XCTAssertEqual(y.pixels, [4, 25, 2, 100])
        let odd = try Self.images(1, 2, 2) { _ in [3, 4, 3, 4] }  // 3.5 → 4
        XCTAssertEqual(try ImageView([.downsample(height: 1, width: 1)]).apply(odd, context: "view").pixels, [4])
    }

    func testDownsampleByAFractionalFactorWeighsPixelsByTheirOverlap() throws {
        // 3 → 2 pixels: output 0 covers [0, 1.5): pixel 0 whole, half of pixel 1 (weights 2/3, 1/3);
        // output 1 covers [1.5, 3): half of pixel 1 and pixel 2 (1/3, 2/3).
        let row = try Self.images(1, 1, 3) { _ in [0, 30, 90] }
        XCTAssertEqual(try ImageView([.downsample(height: 1, width: 2)]).apply(row, context: "v").pixels, [10, 70])
        // 3x3 → 2x2, rows r_i = r_0 + 60 i: along H (2r0 + r1)/3 = [20, 50, 110], (r1 + 2r2)/3 = [100, 130, 190];
        // then along W: [(40 + 50)/3, (50 + 220)/3] = [30, 90] and [(200 + 130)/3, (130 + 380)/3] = [110, 170].
        let square = try Self.images(1, 3, 3) { _ in [0, 30, 90, 60, 90, 150, 120, 150, 210] }
        XCTAssertEqual(try ImageView([.downsample(height: 2, width: 2)]).apply(square, context: "v").pixels, [30, 90, 110, 170])
        // 28 → 7 on real-sized images: every output the mean of a 4x4 block (all ones of value k: k).
        let flat = try Self.images(1, 28, 28, count: 3) { i in [UInt8](repeating: UInt8(40 * i + 1), count: 784) }
        let small = try ImageView([.downsample(height: 7, width: 7)]).apply(flat, context: "v")
        XCTAssertEqual(small.imageShape, [1, 7, 7])
        XCTAssertEqual(small.pixels, (0..<3).flatMap { [UInt8](repeating: UInt8(40 * $0 + 1), count: 49) })
    }

    func testCropKeepsTheRectangleOfEveryChannel() throws {
        // 2 channels of 3x4 holding 0…23 in storage order.
        let x = try Self.images(2, 3, 4) { _ in (0..<24).map { UInt8($0) } }
        let y = try ImageView([.crop(top: 1, left: 1, height: 2, width: 2)]).apply(x, context: "v")
        XCTAssertEqual(y.imageShape, [2, 2, 2])
        XCTAssertEqual(y.pixels, [5, 6, 9, 10, 17, 18, 21, 22])
        // The top half of a 28x28 image is its first 14 rows.
        let full = try Self.images(1, 28, 28) { _ in (0..<784).map { UInt8($0 / 28) } }
        let top = try ImageView([.crop(top: 0, left: 0, height: 14, width: 28)]).apply(full, context: "v")
        XCTAssertEqual(top.pixels, Array(full.pixels.prefix(14 * 28)))
    }

    func testChannelKeepsOnePlane() throws {
        let x = try Self.images(3, 2, 2, count: 2) { i in (0..<12).map { UInt8(100 * i + $0) } }
        let y = try ImageView([.channel(1)]).apply(x, context: "v")
        XCTAssertEqual(y.imageShape, [1, 2, 2])
        XCTAssertEqual(y.pixels, [4, 5, 6, 7, 104, 105, 106, 107])
    }

    func testBlurIsTheNormalisedSeparableGaussian() throws {
        // A constant image stays constant (normalised kernel, replicated edges).
        let flat = try Self.images(1, 5, 5) { _ in [UInt8](repeating: 77, count: 25) }
        XCTAssertEqual(try ImageView([.blur(sigma: 1)]).apply(flat, context: "v").pixels, flat.pixels)
        // A single 255 in the middle of 9x9 zeros: pixel (y, x) becomes 255·w(y−4)·w(x−4), w(t) = exp(−t²/2)/Σ_{|s|≤4} exp(−s²/2).
        let delta = try Self.images(1, 9, 9) { _ in (0..<81).map { $0 == 40 ? 255 : 0 } }
        let y = try ImageView([.blur(sigma: 1)]).apply(delta, context: "v")
        let sum = (-4...4).reduce(0.0) { $0 + exp(-Double($1 * $1) / 2) }
        func w(_ t: Int) -> Double { exp(-Double(t * t) / 2) / sum }
        for (r, c) in [(4, 4), (4, 5), (3, 5), (2, 4), (6, 6)] {
            XCTAssertEqual(y.pixels[r * 9 + c], UInt8((255 * w(r - 4) * w(c - 4)).rounded(.toNearestOrEven)), "(\(r), \(c))")
        }
        XCTAssertEqual(y.pixels[4 * 9 + 4], 41, "255·0.39905² ≈ 40.6")
    }

    func testNoiseIsSeededByTheImagesPositionInItsFileAlone() throws {
        let x = try Self.images(1, 4, 4, count: 6) { i in (0..<16).map { UInt8(60 + 10 * i + $0) } }
        let view = ImageView([.noise(sigma: 0.1, seed: 3)])
        let a = try view.apply(x, context: "v")
        XCTAssertEqual(a.pixels, try view.apply(x, context: "v").pixels, "deterministic")
        XCTAssertNotEqual(a.pixels, x.pixels)
        XCTAssertNotEqual(a.pixels, try ImageView([.noise(sigma: 0.1, seed: 4)]).apply(x, context: "v").pixels, "another seed")
        // Image i: byte(x + 255·σ·z), z the k-th normal of SeededGenerator(seed: 3, streams: [i]).
        var rng = SeededGenerator(seed: 3, streams: [2])
        let expected = (0..<16).map { k -> UInt8 in
            let v = Double(x.pixels[2 * 16 + k]) + 25.5 * rng.normalDouble()
            return UInt8(min(max(v, 0), 255).rounded(.toNearestOrEven))
        }
        XCTAssertEqual(Array(a.pixels[32..<48]), expected)
        // The same image gets the same noise in any subset or order: it keeps its position in the file.
        let picked = x.subset(indices: [4, 2])
        let b = try view.apply(picked, context: "v")
        XCTAssertEqual(Array(b.pixels[0..<16]), Array(a.pixels[64..<80]))
        XCTAssertEqual(Array(b.pixels[16..<32]), Array(a.pixels[32..<48]))
        XCTAssertEqual(b.labels, picked.labels, "labels follow their images")
        XCTAssertEqual([b.origin(of: 0), b.origin(of: 1)], [4, 2])
        // Clipped to [0, 1]: a huge sigma leaves only black and white.
        let loud = try ImageView([.noise(sigma: 50, seed: 0)]).apply(x, context: "v")
        XCTAssertTrue(loud.pixels.allSatisfy { $0 == 0 || $0 == 255 })
        XCTAssertEqual(try ImageView([.noise(sigma: 0, seed: 0)]).apply(x, context: "v").pixels, x.pixels, "sigma 0: unchanged")
    }

    func testAListAppliesInOrderAndKeepsSampleOrderAndLabels() throws {
        let x = try Self.images(1, 4, 4, count: 12) { i in (0..<16).map { UInt8(i * 16 + $0) } }
        let downThenCrop = try ImageView([.downsample(height: 2, width: 2), .crop(top: 0, left: 0, height: 1, width: 2)])
            .apply(x, context: "v")
        let cropThenDown = try ImageView([.crop(top: 0, left: 0, height: 2, width: 4), .downsample(height: 1, width: 2)])
            .apply(x, context: "v")
        XCTAssertEqual(downThenCrop.imageShape, [1, 1, 2])
        // Image 0: blocks (0+1+4+5)/4 = 2.5 → 2 and (2+3+6+7)/4 = 4.5 → 4; the same rows cropped first give the same.
        XCTAssertEqual(Array(downThenCrop.pixels.prefix(2)), [2, 4])
        XCTAssertEqual(downThenCrop.pixels, cropThenDown.pixels)
        XCTAssertEqual(downThenCrop.labels, x.labels)
        XCTAssertEqual(downThenCrop.count, x.count)
        // Downsampling after noise is not noise after downsampling.
        let a = try ImageView([.noise(sigma: 0.2, seed: 1), .downsample(height: 2, width: 2)]).apply(x, context: "v")
        let b = try ImageView([.downsample(height: 2, width: 2), .noise(sigma: 0.2, seed: 1)]).apply(x, context: "v")
        XCTAssertNotEqual(a.pixels, b.pixels)
        // Threads do not change a byte.
        let many = try Self.images(1, 28, 28, count: 300) { i in (0..<784).map { UInt8(($0 * 7 + i) % 256) } }
        let view = ImageView([.blur(sigma: 0.8), .noise(sigma: 0.3, seed: 9), .downsample(height: 10, width: 9)])
        let threads = Parallel.threads
        defer { Parallel.threads = threads }
        Parallel.threads = 1
        let one = try view.apply(many, context: "v")
        Parallel.threads = 2
        XCTAssertEqual(try view.apply(many, context: "v").pixels, one.pixels)
    }

    func testShapesThatDoNotFitAreErrorsNamingTheStep() throws {
        let x = try Self.images(1, 28, 28) { _ in [UInt8](repeating: 0, count: 784) }
        XCTAssertEqual(
            try ImageView([.downsample(height: 14, width: 14), .crop(top: 7, left: 0, height: 7, width: 14)])
                .outputShape([1, 28, 28], context: "v"), [1, 7, 14])
        let cases: [(ImageView, String)] = [
            (ImageView([.downsample(height: 7, width: 7), .crop(top: 0, left: 0, height: 8, width: 7)]), "data.student_view[1]"),
            (ImageView([.downsample(height: 29, width: 7)]), "data.student_view"),
            (ImageView([.channel(1)]), "data.student_view"),
        ]
        for (view, key) in cases {
            XCTAssertThrowsError(try view.apply(x, context: "data.student_view")) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix(key + ":"), text)
                XCTAssertTrue(text.contains("found 1x"), text)
            }
        }
    }
}
