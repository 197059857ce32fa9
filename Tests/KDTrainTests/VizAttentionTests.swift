// Attention maps: the channel sum of squares scaled to a maximum of 1, bilinear upsampling, the
// default taps of each model family, and `viz attention` end to end on a tiny MNIST-layout dataset
// (PNG decoded and compared pixel by pixel with the input and the blended maps; SVG parsed).

import Foundation
import KDNN
import KDTensor
import KDTrain
import TestSupport
import XCTest

final class VizAttentionTests: XCTestCase {
    func testMapIsChannelSumOfSquaresScaledToMaxOne() throws {
        // [1, 2, 2, 2]: channel 0 = 1 2 3 4, channel 1 = 0 0 0 2 → sums of squares 1 4 9 20.
        let f = Tensor(shape: [1, 2, 2, 2], scalars: [1, 2, 3, 4, 0, 0, 0, 2])
        let map = try AttentionMap(tap: "layer1", feature: f)
        XCTAssertEqual((map.height, map.width).0, 2)
        XCTAssertEqual(map.values, [0.05, 0.2, 0.45, 1], accuracy: 1e-6)
        // Only the first image of a batch is drawn.
        let batch = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 9, 9])
        XCTAssertEqual(try AttentionMap(tap: "t", feature: batch).values, [0.25, 1], accuracy: 1e-6)
        XCTAssertEqual(try AttentionMap(tap: "z", feature: Tensor.zeros([1, 3, 2, 2])).values, [0, 0, 0, 0])
        XCTAssertThrowsError(try AttentionMap(tap: "fc1", feature: Tensor.zeros([1, 8])))
    }

    func testBilinearUpsampling() {
        let map = AttentionMap(tap: "t", height: 2, width: 2, values: [0, 1, 0, 1])
        XCTAssertEqual(map.resized(height: 1, width: 4), [0, 0.25, 0.75, 1], accuracy: 1e-6)
        XCTAssertEqual(
            AttentionMap(tap: "t", height: 1, width: 1, values: [0.5]).resized(height: 2, width: 2), [0.5, 0.5, 0.5, 0.5])
    }

    func testDefaultTapsAreTheStages() throws {
        for (name, shape, taps) in [
            ("lenet5", [1, 28, 28], ["conv1", "conv2"]), ("resnet8", [3, 32, 32], ["layer1", "layer2", "layer3"]),
            ("wrn-16-1", [3, 32, 32], ["block1", "block2", "block3"]), ("mlp-32", [1, 28, 28], []),
        ] {
            let model = try Zoo.build(ModelSpec(name: name, inputShape: shape, numClasses: 10), seed: 1)
            let out = noGrad { model.forward(Tensor.zeros([1] + shape), .eval) }
            XCTAssertEqual(AttentionMap.defaultTaps(model, output: out), taps, name)
        }
    }

    /// A tiny MNIST-layout dataset, a lenet5 student and a resnet8 teacher checkpoint.
    func fixture() throws -> (dir: String, student: String, teacher: String) {
        let dir = TinyDatasetFiles.temporaryDirectory("viz")
        try TinyDatasetFiles.writeMNIST(directory: dir + "/mnist", trainCount: 4, testCount: 6, gzip: false)
        var paths: [String] = []
        for (name, seed) in [("lenet5", 1), ("resnet8", 2)] {
            let spec = ModelSpec(name: name, inputShape: [1, 28, 28], numClasses: 10)
            let model = try Zoo.build(spec, seed: UInt64(seed))
            let meta = CheckpointMetadata(spec: spec, dataset: "mnist", normalization: .init(mean: [0.5], std: [0.25]), epoch: 1)
            let path = dir + "/\(name).safetensors"
            try model.saveCheckpoint(to: path, metadata: meta.encode())
            paths.append(path)
        }
        return (dir, paths[0], paths[1])
    }

    func testPNGShowsTheInputAndTheBlendedMaps() throws {
        let f = try fixture()
        var request = AttentionViz.Request(
            checkpoint: f.student, teacher: f.teacher, dataDirectory: f.dir + "/mnist", index: 3,
            output: f.dir + "/att.png")
        let (grid, lines) = try AttentionViz.grid(request)
        XCTAssertEqual(grid.rows.map(\.name), ["student lenet5", "teacher resnet8"])
        XCTAssertEqual(grid.rows.map { $0.maps.map(\.tap) }, [["conv1", "conv2"], ["layer1", "layer2", "layer3"]])
        XCTAssertEqual(grid.columns, 4)
        XCTAssertEqual(grid.scale, 4)
        XCTAssertTrue(
            lines[0].hasPrefix("image 3 of mnist test, label \(TinyDatasetFiles.label(image: 3, classes: 10))"), lines[0])
        let text = try AttentionViz.run(request)
        XCTAssertTrue(text.hasSuffix("wrote \(f.dir)/att.png (\(grid.size.width)x\(grid.size.height))"), text)
        let png = try DecodedPNG(Array(try Data(contentsOf: URL(fileURLWithPath: f.dir + "/att.png"))))
        XCTAssertEqual(png.width, grid.size.width)
        XCTAssertEqual(png.height, grid.size.height)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(png.pixels[((y * png.width + x) * 3)..<((y * png.width + x) * 3 + 3)]) }
        // Input cell of the teacher row: input pixel (row 7, column 5) scaled by 4, in gray.
        let raw = TinyDatasetFiles.pixel(image: 3, byte: 7 * 28 + 5)
        let o = grid.cellOrigin(row: 1, column: 0)
        XCTAssertEqual(pixel(o.x + 5 * 4 + 2, o.y + 7 * 4 + 1), [raw, raw, raw])
        // Student conv1 cell: the map upsampled to the cell, blended over the input.
        let m = grid.cellOrigin(row: 0, column: 1)
        let up = grid.rows[0].maps[0].resized(height: grid.cellSize.height, width: grid.cellSize.width)
        let (x, y) = (5 * 4 + 2, 7 * 4 + 1)
        let g = Float(raw) / 255
        let c = Colormap.blend(base: (g, g, g), t: up[y * grid.cellSize.width + x], alpha: grid.alpha)
        XCTAssertEqual(pixel(m.x + x, m.y + y), [c.0, c.1, c.2])
        // A teacher-only column is left blank in the student row.
        let blank = grid.cellOrigin(row: 0, column: 3)
        XCTAssertEqual(pixel(blank.x + 10, blank.y + 10), [255, 255, 255])

        request.output = f.dir + "/att.svg"
        _ = try AttentionViz.run(request)
        let svg = try XMLTreeBuilder.parse(try String(contentsOfFile: f.dir + "/att.svg", encoding: .utf8))
        let href = try XCTUnwrap(svg.all("image").first?.attributes["href"])
        XCTAssertTrue(href.hasPrefix("data:image/png;base64,"))
        let embedded = try DecodedPNG(
            Array(try XCTUnwrap(Data(base64Encoded: String(href.dropFirst("data:image/png;base64,".count))))))
        XCTAssertEqual([embedded.width, embedded.height], [grid.size.width, grid.size.height])
        let labels = svg.all("text").map(\.allText)
        for l in ["student lenet5", "teacher resnet8", "input", "conv1", "conv2", "layer1", "layer3"] {
            XCTAssertTrue(labels.contains(l), l)
        }
    }

    func testBadRequestsAreOneLineErrors() throws {
        let f = try fixture()
        let base = AttentionViz.Request(
            checkpoint: f.student, dataDirectory: f.dir + "/mnist", index: 0, output: f.dir + "/a.png")
        var r = base
        r.output = f.dir + "/a.jpg"
        XCTAssertThrowsError(try AttentionViz.run(r)) {
            XCTAssertTrue("\($0)".contains("expected a file name ending in .png or .svg"), "\($0)")
        }
        r = base
        r.index = 6
        XCTAssertThrowsError(try AttentionViz.run(r)) {
            XCTAssertTrue("\($0)".contains("--index: expected an image index in 0..<6"), "\($0)")
        }
        r = base
        r.taps = ["conv9"]
        XCTAssertThrowsError(try AttentionViz.run(r)) { XCTAssertTrue("\($0)".contains("has no tap 'conv9'"), "\($0)") }
        r = base
        r.dataset = "cifar10"
        XCTAssertThrowsError(try AttentionViz.run(r))
        r = base
        r.checkpoint = f.dir + "/missing.safetensors"
        XCTAssertThrowsError(try AttentionViz.run(r))
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.dir + "/a.png"))
    }
}

/// Element-wise approximate equality of two Float arrays.
func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "counts differ: \(a) vs \(b)", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b)", file: file, line: line) }
}
