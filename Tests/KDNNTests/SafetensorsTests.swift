// Safetensors reading and writing: round trips (values, shapes, order, metadata, dtypes), files
// written by PyTorch's safetensors.torch.save_file, F16/BF16 rounding, and atomic writing.

import Foundation
import KDNN
import KDTensor
import XCTest

final class SafetensorsTests: XCTestCase {
    func testRoundTripKeepsValuesShapesOrderAndMetadata() throws {
        let dir = makeTempDir(self)
        var rng = SeededGenerator(seed: 3)
        let tensors: [(name: String, tensor: Tensor)] = [
            ("z.last.weight", Tensor.randomNormal([4, 3, 3, 3], rng: &rng)),
            ("a.bias", Tensor.randomNormal([7], rng: &rng)),
            ("scalar", Tensor(1.25)),
            ("empty", Tensor.zeros([0, 5])),
            ("naïve \"quoted\"\\name", Tensor(shape: [2], scalars: [.infinity, -0.5])),
        ]
        let metadata = ["format": "kdistill.v1", "config": #"{"a": [1, 2], "s": "x\"y\n"}"#, "ünï": "cödé ✓"]
        let path = dir + "/ck.safetensors"
        try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: path)

        let back = try SafetensorsFile.read(path: path)
        XCTAssertEqual(back.tensors.map(\.name), tensors.map(\.name))
        XCTAssertEqual(back.metadata, metadata)
        for ((_, a), (name, b)) in zip(tensors, back.tensors) {
            XCTAssertEqual(a.shape, b.shape, name)
            XCTAssertEqual(a.scalars, b.scalars, name)
            XCTAssertEqual(back.dtypes[name], .F32)
        }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual((8 + n) % 8, 0, "data region starts 8-byte aligned")
        XCTAssertEqual(bytes[8], UInt8(ascii: "{"))
        XCTAssertEqual(bytes.count, 8 + n + (4 * 3 * 3 * 3 + 7 + 1 + 0 + 2) * 4)
    }

    func testOtherDTypesRoundTrip() throws {
        let dir = makeTempDir(self)
        let values: [Float] = [0, 1, -2, 100, 384]
        let dtypes: [SafetensorsDType] = [.F64, .F16, .BF16, .I64, .I32, .I16]
        let tensors = dtypes.map { (name: $0.rawValue, tensor: Tensor(shape: [5], scalars: values)) }
        let file = SafetensorsFile(tensors: tensors, dtypes: Dictionary(uniqueKeysWithValues: dtypes.map { ($0.rawValue, $0) }))
        try file.write(to: dir + "/d.safetensors")
        let back = try SafetensorsFile.read(path: dir + "/d.safetensors")
        for dtype in dtypes {
            XCTAssertEqual(back.dtypes[dtype.rawValue], dtype)
            let expected = values
            XCTAssertEqual(back.tensor(named: dtype.rawValue)?.scalars, expected, dtype.rawValue)
        }
    }

    func testHalfAndBFloat16RoundLikePyTorch() throws {
        let dir = makeTempDir(self)
        let x = Tensor(shape: [OptimGolden.roundingInputs.count], scalars: OptimGolden.roundingInputs)
        try SafetensorsFile(tensors: [("h", x), ("b", x)], dtypes: ["h": .F16, "b": .BF16]).write(to: dir + "/r.safetensors")
        let back = try SafetensorsFile.read(path: dir + "/r.safetensors")
        XCTAssertEqual(back.tensor(named: "h")?.scalars, OptimGolden.halfRoundTrip)
        XCTAssertEqual(back.tensor(named: "b")?.scalars, OptimGolden.bfloat16RoundTrip)
    }

    func testReadsPyTorchSavedStateDictWithInt64Counter() throws {
        let path = fixtureFile(OptimGolden.torchStateDictBase64, makeTempDir(self), "torch.safetensors")
        let file = try SafetensorsFile.read(path: path)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(Set(file.tensors.map(\.name)), Set(OptimGolden.torchStateDictExpected.map(\.name)))
        for (name, shape, values) in OptimGolden.torchStateDictExpected {
            XCTAssertEqual(file.tensor(named: name)?.shape, shape, name)
            XCTAssertEqual(file.tensor(named: name)?.scalars, values, name)
        }
        XCTAssertEqual(file.dtypes["bn.num_batches_tracked"], .I64)
        XCTAssertEqual(file.dtypes["fc.weight"], .F32)
    }

    func testReadsEveryDTypePyTorchWrites() throws {
        let path = fixtureFile(OptimGolden.torchDTypesBase64, makeTempDir(self), "dtypes.safetensors")
        let file = try SafetensorsFile.read(path: path)
        XCTAssertEqual(file.metadata, ["note": "every dtype", "quote": "say \"hi\"\n"])
        XCTAssertEqual(file.tensors.count, OptimGolden.torchDTypesExpected.count)
        for (name, shape, values) in OptimGolden.torchDTypesExpected {
            XCTAssertEqual(file.tensor(named: name)?.shape, shape, name)
            XCTAssertEqual(file.tensor(named: name)?.scalars, values, name)
        }
        XCTAssertEqual(file.dtypes["bool"], .BOOL)
        XCTAssertEqual(file.dtypes["f16"], .F16)
    }

    func testRewritingAPyTorchFileKeepsItsContent() throws {
        let dir = makeTempDir(self)
        let original = try SafetensorsFile.read(path: fixtureFile(OptimGolden.torchDTypesBase64, dir, "a.safetensors"))
        try original.write(to: dir + "/b.safetensors")
        let copy = try SafetensorsFile.read(path: dir + "/b.safetensors")
        XCTAssertEqual(copy.tensors.map(\.name), original.tensors.map(\.name))
        XCTAssertEqual(copy.dtypes, original.dtypes)
        XCTAssertEqual(copy.metadata, original.metadata)
        for ((_, a), (_, b)) in zip(original.tensors, copy.tensors) { XCTAssertEqual(a.scalars, b.scalars) }
    }

    func testWriteErrors() {
        let dir = makeTempDir(self)
        let t = Tensor(shape: [2], scalars: [1, 2.5])
        assertCheckpointError("\(dir)/x.safetensors: n: expected values I64 can hold exactly, found 2.5 at element 1") {
            try SafetensorsFile(tensors: [("n", t)], dtypes: ["n": .I64]).write(to: dir + "/x.safetensors")
        }
        assertCheckpointError("\(dir)/x.safetensors: a: expected one tensor per name, found the name twice") {
            try SafetensorsFile(tensors: [("a", t), ("a", t)]).write(to: dir + "/x.safetensors")
        }
        assertCheckpointError("\(dir)/x.safetensors: tensor name: expected a name other than __metadata__, found __metadata__") {
            try SafetensorsFile(tensors: [("__metadata__", t)]).write(to: dir + "/x.safetensors")
        }
        assertCheckpointError(
            "\(dir)/no/such/dir/x.safetensors: create: expected a writable file in an existing directory, found No such file or directory"
        ) {
            try SafetensorsFile(tensors: [("a", t)]).write(to: dir + "/no/such/dir/x.safetensors")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "no file or temporary left behind")
    }

    func testAtomicWriteReplacesAndNeverLeavesHalfFiles() throws {
        let dir = makeTempDir(self)
        let path = dir + "/latest.safetensors"
        try SafetensorsFile(tensors: [("w", Tensor(shape: [2], scalars: [1, 2]))]).write(to: path)
        // A failing write (value not representable) leaves the previous file untouched.
        let bad = SafetensorsFile(
            tensors: [("w", Tensor(shape: [2], scalars: [3, 4])), ("n", Tensor(0.5))], dtypes: ["n": .I32])
        XCTAssertThrowsError(try bad.write(to: path))
        XCTAssertEqual(try SafetensorsFile.read(path: path).tensor(named: "w")?.scalars, [1, 2])
        try SafetensorsFile(tensors: [("w", Tensor(shape: [3], scalars: [5, 6, 7]))]).write(to: path)
        XCTAssertEqual(try SafetensorsFile.read(path: path).tensor(named: "w")?.scalars, [5, 6, 7])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["latest.safetensors"])
    }

    func testEmptyFileHasNoTensors() throws {
        let dir = makeTempDir(self)
        try SafetensorsFile().write(to: dir + "/e.safetensors")
        let back = try SafetensorsFile.read(path: dir + "/e.safetensors")
        XCTAssertTrue(back.tensors.isEmpty)
        XCTAssertTrue(back.metadata.isEmpty)
    }
}
