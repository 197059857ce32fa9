// QuantizedFileTests: an int8 checkpoint written and read back runs with identical logits; the float
// loader refuses it in one line; truncated and garbled files are one-line CheckpointErrors.

import Foundation
import KDNN
import KDQuant
import KDTensor
import XCTest

final class QuantizedFileTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "kdquant-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func write(_ name: String, shape: [Int]) throws -> (String, QuantizedModel, Tensor) {
        let model = try randomizedModel(name, shape)
        let x = randomImages(6, shape)
        let (_, int8) = try quantized(model, calibratedOn: x)
        let meta = CheckpointMetadata(spec: model.spec, dataset: "fashion-mnist", normalization: nil, epoch: 1).encode()
        let path = directory + "/\(name).int8.safetensors"
        try QuantizedFile.write(
            int8,
            metadata: QuantizedFile.metadata(
                base: meta, provenance: .init(calibration: "minmax", images: 6, source: "x.safetensors"),
                ranges: QuantizedFile.ranges(int8)),
            to: path)
        return (path, int8, x)
    }

    func testRoundTripGivesIdenticalLogits() throws {
        for (name, shape) in [("resnet8", [1, 8, 8]), ("wrn-16-1", [3, 8, 8]), ("mlp-32-16", [1, 6, 6])] {
            let (path, int8, x) = try write(name, shape: shape)
            let loaded = try QuantizedFile.load(try ModelCheckpoint(path: path))
            XCTAssertEqual(try loaded.forward(x).scalars, try int8.forward(x).scalars, name)
            let checkpoint = try ModelCheckpoint(path: path)
            XCTAssertTrue(QuantizedCheckpoint.isQuantized(checkpoint.metadata))
            XCTAssertEqual(checkpoint.file.dtypes["conv1.weight"] ?? checkpoint.file.dtypes["fc1.weight"], .I8, name)
            XCTAssertNotNil(checkpoint.metadata.extra[QuantRanges.metadataKey])
        }
    }

    func testFloatLoaderRefusesAnInt8Checkpoint() throws {
        let (path, _, _) = try write("lenet5", shape: [1, 16, 16])
        XCTAssertThrowsError(try ModelCheckpoint(path: path).model(fallback: nil, hint: "")) { error in
            XCTAssertTrue("\(error)".contains("expected a float checkpoint, found an int8 checkpoint"), "\(error)")
        }
    }

    func testTruncatedAndGarbledFilesAreOneLineErrors() throws {
        let (path, _, _) = try write("lenet5", shape: [1, 16, 16])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = directory + "/truncated.safetensors"
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try QuantizedFile.load(try ModelCheckpoint(path: truncated))) { error in
            XCTAssertTrue("\(error)".hasPrefix(truncated + ":"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
        // A layer's tensor missing, and a weight stored as F32: named in one line.
        let file = try SafetensorsFile.read(path: path)
        var missing = file
        missing.tensors.removeAll { $0.name.hasSuffix(".input_scale") }
        let missingPath = directory + "/missing.safetensors"
        try missing.write(to: missingPath)
        XCTAssertThrowsError(try QuantizedFile.load(try ModelCheckpoint(path: missingPath))) { error in
            XCTAssertTrue("\(error)".contains(".input_scale: expected a F32 tensor of shape [1], found no such key"), "\(error)")
        }
        var retyped = file
        let weight = try XCTUnwrap(file.tensors.first { file.dtypes[$0.name] == .I8 }?.name)
        retyped.dtypes[weight] = .F32
        let retypedPath = directory + "/retyped.safetensors"
        try retyped.write(to: retypedPath)
        XCTAssertThrowsError(try QuantizedFile.load(try ModelCheckpoint(path: retypedPath))) { error in
            XCTAssertTrue("\(error)".contains("\(weight): expected I8 of shape"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }
}
