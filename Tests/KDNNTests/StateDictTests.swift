// State dicts and checkpoints: a tiny layer saved and loaded (references, round trip, PyTorch
// file with num_batches_tracked), every loading mismatch as a one-line error, and the metadata keys.

import Foundation
import KDNN
import KDTensor
import XCTest

/// A Linear(3→2) followed by a batch norm over 2 features, named as PyTorch names them.
final class TinyNet: Layer {
    let fcWeight: Tensor, fcBias: Tensor, bnWeight: Tensor, bnBias: Tensor, runningMean: Tensor, runningVar: Tensor
    /// Present only when the layer keeps a batch counter (as a Float scalar buffer).
    let counter: Tensor?

    init(seed: UInt64, counter: Bool = false, outFeatures: Int = 2) {
        var rng = SeededGenerator(seed: seed)
        fcWeight = Tensor.randomNormal([outFeatures, 3], rng: &rng)
        fcBias = Tensor.randomNormal([outFeatures], rng: &rng)
        bnWeight = Tensor.randomNormal([2], rng: &rng)
        bnBias = Tensor.randomNormal([2], rng: &rng)
        runningMean = Tensor.randomNormal([2], rng: &rng)
        runningVar = Tensor.randomUniform([2], 0.5, 2, rng: &rng)
        self.counter = counter ? Tensor(3) : nil
    }

    func namedTensors(prefix: String) -> [NamedTensor] {
        var out = [
            NamedTensor(prefix + "fc.weight", fcWeight), NamedTensor(prefix + "fc.bias", fcBias),
            NamedTensor(prefix + "bn.weight", bnWeight), NamedTensor(prefix + "bn.bias", bnBias),
            NamedTensor(prefix + "bn.running_mean", runningMean, .buffer),
            NamedTensor(prefix + "bn.running_var", runningVar, .buffer),
        ]
        if let counter { out.append(NamedTensor(prefix + "bn.num_batches_tracked", counter, .buffer)) }
        return out
    }
}

final class StateDictTests: XCTestCase {
    func testStateDictHoldsTheLayersOwnTensors() {
        let net = TinyNet(seed: 1)
        let sd = net.stateDict()
        XCTAssertEqual(sd.map(\.name), ["fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"])
        XCTAssertTrue(sd[0].tensor === net.fcWeight)
        XCTAssertTrue(sd[5].tensor === net.runningVar)
    }

    func testSaveAndLoadRoundTrip() throws {
        let path = makeTempDir(self) + "/best.safetensors"
        let a = TinyNet(seed: 1), b = TinyNet(seed: 2)
        let meta = CheckpointMetadata(
            spec: ModelSpec(name: "tiny", inputShape: [3], numClasses: 2), dataset: "toy",
            normalization: .init(mean: [0.5], std: [0.25]), epoch: 4,
            metrics: #"{"val_acc":0.9}"#, config: #"{"lr":0.1}"#)
        try a.saveCheckpoint(to: path, metadata: meta.encode())
        let keep = b.fcWeight
        let file = try b.loadCheckpoint(path: path)
        XCTAssertTrue(b.fcWeight === keep, "loading copies into the existing tensors")
        for (x, y) in zip(a.stateDict(), b.stateDict()) { XCTAssertEqual(x.tensor.scalars, y.tensor.scalars, x.name) }
        XCTAssertEqual(try CheckpointMetadata.decode(file.metadata, source: path), meta)
    }

    func testBatchCounterIsWrittenAsInt64AndOptionalOnLoad() throws {
        let dir = makeTempDir(self)
        let withCounter = TinyNet(seed: 1, counter: true)
        try withCounter.saveCheckpoint(to: dir + "/c.safetensors", metadata: [:])
        let file = try SafetensorsFile.read(path: dir + "/c.safetensors")
        XCTAssertEqual(file.dtypes["bn.num_batches_tracked"], .I64)
        XCTAssertEqual(file.tensor(named: "bn.num_batches_tracked")?.scalars, [3])
        try TinyNet(seed: 2).loadCheckpoint(path: dir + "/c.safetensors")  // extra counter ignored
        try TinyNet(seed: 3).saveCheckpoint(to: dir + "/n.safetensors", metadata: [:])
        let target = TinyNet(seed: 4, counter: true)
        try target.loadCheckpoint(path: dir + "/n.safetensors")  // missing counter tolerated
        XCTAssertEqual(target.counter?.scalars, [3])
    }

    func testLoadsPyTorchStateDict() throws {
        let path = fixtureFile(OptimGolden.torchStateDictBase64, makeTempDir(self), "torch.safetensors")
        let net = TinyNet(seed: 9)
        let file = try net.loadCheckpoint(path: path)
        let expected = Dictionary(uniqueKeysWithValues: OptimGolden.torchStateDictExpected.map { ($0.name, $0.values) })
        for (name, tensor) in net.stateDict() { XCTAssertEqual(tensor.scalars, expected[name], name) }
        let meta = try CheckpointMetadata.decode(file.metadata, source: path)
        XCTAssertFalse(meta.isKdistill)
        XCTAssertEqual(meta.format, "pt")
        XCTAssertNil(meta.model)
        assertCheckpointError(
            "\(path): __metadata__.model: expected the zoo model name, found no such key (not a kdistill checkpoint? give the model explicitly)"
        ) {
            _ = try meta.modelSpec(source: path)
        }
    }

    func testMismatchesAreOneLineErrorsAndChangeNothing() throws {
        let dir = makeTempDir(self)
        let wide = dir + "/wide.safetensors"
        try TinyNet(seed: 1, outFeatures: 4).saveCheckpoint(to: wide, metadata: [:])
        let net = TinyNet(seed: 2)
        let before = net.stateDict().map(\.tensor.scalars)
        assertCheckpointError(
            "\(wide): fc.weight: expected shape [2, 3], found [4, 3] (and 1 more mismatched key; a checkpoint of another model?)"
        ) {
            try net.loadCheckpoint(path: wide)
        }
        XCTAssertEqual(net.stateDict().map(\.tensor.scalars), before, "a failed load changes nothing")

        var entries = TinyNet(seed: 3).stateDict()
        entries.removeAll { $0.name == "bn.running_var" }
        assertCheckpointError(
            "ck: bn.running_var: expected a tensor of shape [2], found no such key (a checkpoint of another model?)"
        ) {
            try net.loadStateDict(entries, source: "ck")
        }
        entries = TinyNet(seed: 3).stateDict() + [("head.weight", Tensor.zeros([5, 2]))]
        assertCheckpointError(
            "ck: head.weight: expected only keys the model has, found an unexpected key of shape [5, 2] (a checkpoint of another model?)"
        ) {
            try net.loadStateDict(entries, source: "ck")
        }
        entries = TinyNet(seed: 3).stateDict()
        entries[1] = ("fc.bias", Tensor.zeros([2, 1]))
        assertCheckpointError(
            "runs/t/best.safetensors: fc.bias: expected shape [2], found [2, 1] (a checkpoint of another model?)"
        ) {
            try net.loadStateDict(entries, source: "runs/t/best.safetensors")
        }
        entries = TinyNet(seed: 3).stateDict() + [("fc.bias", Tensor.zeros([2]))]
        assertCheckpointError("ck: fc.bias: expected one tensor per key, found the key twice") {
            try net.loadStateDict(entries, source: "ck")
        }
        XCTAssertEqual(net.stateDict().map(\.tensor.scalars), before)
    }

    func testMetadataEncodingAndValidation() throws {
        let spec = ModelSpec(name: "mlp-800-800", inputShape: [1, 28, 28], numClasses: 10, dropout: 0.2)
        let meta = CheckpointMetadata(
            spec: spec, dataset: "fashion-mnist",
            normalization: .init(mean: [0.2860], std: [0.3530]), epoch: 10)
        let encoded = meta.encode()
        XCTAssertEqual(encoded["format"], "kdistill.v1")
        XCTAssertEqual(encoded["input_shape"], "[1,28,28]")
        XCTAssertEqual(encoded["num_classes"], "10")
        XCTAssertEqual(encoded["normalization"], #"{"mean":[0.286],"std":[0.353]}"#)
        XCTAssertEqual(encoded["epoch"], "10")
        let decoded = try CheckpointMetadata.decode(encoded.merging(["note": "kept"]) { a, _ in a }, source: "f")
        XCTAssertTrue(decoded.isKdistill)
        XCTAssertEqual(try decoded.modelSpec(source: "f"), spec)
        XCTAssertEqual(decoded.extra, ["note": "kept"])

        let cases: [(String, String, String)] = [
            ("input_shape", "[1,-28]", "expected a JSON array of positive integers like [1,28,28], found [1,-28]"),
            ("input_shape", "1x28x28", "expected a JSON array of positive integers like [1,28,28], found 1x28x28"),
            ("num_classes", "ten", "expected a positive integer, found ten"),
            ("epoch", "-1", "expected a non-negative integer, found -1"),
            ("dropout", "1.5", "expected a probability in [0, 1), found 1.5"),
            (
                "normalization", #"{"mean":[0.5],"std":[0]}"#,
                #"expected JSON {"mean":[...],"std":[...]} with equal lengths and positive std, found {"mean":[0.5],"std":[0]}"#
            ),
            (
                "normalization", #"{"mean":[0.5,0.4],"std":[1]}"#,
                #"expected JSON {"mean":[...],"std":[...]} with equal lengths and positive std, found {"mean":[0.5,0.4],"std":[1]}"#
            ),
            ("metrics", "{not json", "expected JSON text, found {not json"),
            ("config", "", "expected JSON text, found "),
        ]
        for (key, value, message) in cases {
            assertCheckpointError("f: __metadata__.\(key): \(message)") {
                _ = try CheckpointMetadata.decode(["format": "kdistill.v1", key: value], source: "f")
            }
        }
        let partial = try CheckpointMetadata.decode(["model": "resnet20"], source: "f")
        assertCheckpointError(
            "f: __metadata__.input_shape: expected the input shape, found no such key (not a kdistill checkpoint? give the model explicitly)"
        ) {
            _ = try partial.modelSpec(source: "f")
        }
    }
}
