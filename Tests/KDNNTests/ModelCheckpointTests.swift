// ModelCheckpoint: a saved zoo model comes back equal from its metadata; a file without metadata is
// built as the fallback, or is a one-line error carrying the caller's hint; a wrong fallback is a
// state-dict mismatch, not a silently different model.

import Foundation
import KDNN
import KDTensor
import XCTest

final class ModelCheckpointTests: XCTestCase {
    let spec = ModelSpec(name: "lenet5", inputShape: [1, 28, 28], numClasses: 10, dropout: 0)

    func saved(_ dir: String, metadata: Bool) throws -> (Model, String) {
        let model = try Zoo.build(spec, seed: 3)
        let path = dir + "/m.safetensors"
        let meta =
            metadata ? CheckpointMetadata(spec: spec, dataset: "fashion-mnist", normalization: nil, epoch: 4).encode() : [:]
        try model.saveCheckpoint(to: path, metadata: meta)
        return (model, path)
    }

    func assertSameTensors(_ a: Model, _ b: Model, file: StaticString = #filePath, line: UInt = #line) {
        let x = a.stateDict(), y = b.stateDict()
        XCTAssertEqual(x.map(\.name), y.map(\.name), file: file, line: line)
        for (p, q) in zip(x, y) { XCTAssertEqual(p.tensor.scalars, q.tensor.scalars, p.name, file: file, line: line) }
    }

    func testLoadsTheModelItsMetadataNames() throws {
        let (model, path) = try saved(makeTempDir(self), metadata: true)
        let checkpoint = try ModelCheckpoint(path: path)
        XCTAssertEqual(checkpoint.metadata.epoch, 4)
        XCTAssertEqual(checkpoint.metadata.dataset, "fashion-mnist")
        let back = try checkpoint.model(fallback: nil, hint: "unused")
        XCTAssertEqual(back.spec, spec)
        assertSameTensors(model, back)
    }

    func testWithoutMetadataUsesTheFallbackOrSaysHowToGiveOne() throws {
        let (model, path) = try saved(makeTempDir(self), metadata: false)
        let checkpoint = try ModelCheckpoint(path: path)
        assertSameTensors(model, try checkpoint.model(fallback: spec, hint: "unused"))
        assertCheckpointError(
            "\(path): __metadata__.model: expected kdistill metadata naming the model (model, input_shape, num_classes), "
                + "found none (set teacher.model)"
        ) { _ = try checkpoint.model(fallback: nil, hint: "set teacher.model") }
        let wrong = ModelSpec(name: "resnet8", inputShape: [1, 28, 28], numClasses: 10)
        XCTAssertThrowsError(try checkpoint.model(fallback: wrong, hint: "unused")) { error in
            XCTAssertTrue(error is CheckpointError, "\(error)")
        }
    }
}
