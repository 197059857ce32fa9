// TeacherCacheTests: cached teacher outputs (logits and the taps a method reads) equal a fresh forward
// pass for shuffled batches; the memory limit and train-mode batch norm turn caching off; a teacher
// checkpoint from an unfinished run is flagged.

import KDData
import KDMethods
import KDNN
import KDTensor
import KDTrain
import TestSupport
import XCTest

final class TeacherCacheTests: XCTestCase {
    /// 1,100 random 1x12x12 images (more than one 1,000-image cache chunk), batches of 64, shuffled.
    private func loader() throws -> BatchLoader {
        var rng = SeededGenerator(seed: 7)
        let n = 1100, size = 144
        let ds = try ImageDataset(
            pixels: (0..<n * size).map { _ in UInt8.random(in: 0...255, using: &rng) },
            labels: (0..<n).map { Int32($0 % 10) }, channels: 1, height: 12, width: 12, numClasses: 10)
        return try BatchLoader(dataset: ds, normalization: Normalization(mean: [0.5], std: [0.25]), batchSize: 64, shuffle: true)
    }

    private func teacher() throws -> Model {
        try Zoo.build(ModelSpec(name: "resnet8", inputShape: [1, 12, 12], numClasses: 10), seed: 3)
    }

    func testCachedLogitsAndTapsMatchAForwardPass() throws {
        let loader = try loader(), model = try teacher()
        let teachers = Teachers(models: [model], paths: ["t"], trainBN: false)
        XCTAssertTrue(teachers.buildCache(for: loader, taps: ["layer2", "pool"]))
        XCTAssertTrue(teachers.isCached)
        for b in [0, 5, loader.numBatches - 1] {
            let batch = loader.batch(epoch: 1, index: b)
            let fresh = noGrad { model.forward(batch.images, ForwardContext(training: false)) }
            let cached = teachers.outputs(for: batch, use: .features(["layer2"]))[0]
            XCTAssertEqual(Set(cached.taps.keys), ["layer2"], "only the taps asked for")
            assertClose(cached.logits.scalars, fresh.logits.scalars)
            XCTAssertEqual(cached.taps["layer2"]!.shape, fresh.taps["layer2"]!.shape)
            assertClose(cached.taps["layer2"]!.scalars, fresh.taps["layer2"]!.scalars)
            XCTAssertEqual(teachers.outputs(for: batch, use: .logits)[0].logits.shape, [batch.indices.count, 10])
        }
        // A tap outside the cache: the teacher runs instead, with every tap.
        let batch = loader.batch(epoch: 0, index: 2)
        XCTAssertNotNil(teachers.outputs(for: batch, use: .features(["layer3"]))[0].taps["layer1"])
    }

    func testMemoryLimitAndTrainModeBatchNormDisableTheCache() throws {
        let loader = try loader()
        let small = Teachers(models: [try teacher()], paths: ["t"], trainBN: false)
        XCTAssertFalse(small.buildCache(for: loader, taps: ["layer1"], memoryFraction: 1e-9))
        XCTAssertFalse(small.isCached)
        let trainBN = Teachers(models: [try teacher()], paths: ["t"], trainBN: true)
        XCTAssertFalse(trainBN.buildCache(for: loader, taps: []))
    }

    func testCombinedUseUnitesTaps() {
        XCTAssertEqual(TeacherUse.combined([.logits, .features(["a"]), .features(["b", "a"])]), .features(["a", "b"]))
        XCTAssertEqual(TeacherUse.combined([.none, .logits]), .logits)
        XCTAssertEqual(TeacherUse.combined([.none, .none]), TeacherUse.none)
        XCTAssertEqual(TeacherUse.features(["x"]).taps, ["x"])
        XCTAssertEqual(TeacherUse.logits.taps, [])
    }

    func testTeacherFromAnUnfinishedRunIsFlagged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-unfinished-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertNil(Teachers.unfinishedRunWarning(dir + "/best.safetensors"), "not a run directory")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        let warning = try XCTUnwrap(Teachers.unfinishedRunWarning(dir + "/best.safetensors"))
        XCTAssertTrue(warning.contains(dir) && warning.contains("unfinished run"), warning)
        XCTAssertNil(Teachers.unfinishedRunWarning(dir + "/epoch-003.safetensors"), "an epoch checkpoint is final")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/summary.json"))
        XCTAssertNil(Teachers.unfinishedRunWarning(dir + "/latest.safetensors"), "finished run")
    }
}
