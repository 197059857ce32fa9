// TeacherCachingRuleTests: the one rule for whether a run caches its teachers (Teachers.cacheIfAllowed):
// asked for by cache_teacher, a teacher read in some stage, no augmentation, eval-mode batch norm.

import KDData
import KDMethods
import KDNN
import KDTensor
import KDTrain
import TestSupport
import XCTest

final class TeacherCachingRuleTests: XCTestCase {
    func loader() throws -> BatchLoader {
        let n = 40
        let ds = try ImageDataset(
            pixels: (0..<n * 144).map { UInt8($0 % 251) }, labels: (0..<n).map { Int32($0 % 10) }, channels: 1, height: 12,
            width: 12, numClasses: 10)
        return try BatchLoader(dataset: ds, normalization: Normalization(mean: [0.5], std: [0.25]), batchSize: 8, shuffle: true)
    }

    func teachers(trainBN: Bool = false) throws -> Teachers {
        let model = try Zoo.build(ModelSpec(name: "mlp-16", inputShape: [1, 12, 12], numClasses: 10), seed: 3)
        return Teachers(models: [model], paths: ["t"], trainBN: trainBN)
    }

    func testTheRuleDecidesForEveryRunner() throws {
        let train = try loader()
        func caches(_ t: Teachers, requested: Bool = true, augmented: Bool = false, uses: [TeacherUse] = [.logits]) -> Bool {
            let built = t.cacheIfAllowed(requested: requested, train: train, augmented: augmented, uses: uses)
            XCTAssertEqual(built, t.isCached)
            return built
        }
        XCTAssertTrue(caches(try teachers()))
        XCTAssertFalse(caches(try teachers(), requested: false), "cache_teacher off")
        XCTAssertFalse(caches(try teachers(), augmented: true), "augmented batches")
        XCTAssertFalse(caches(try teachers(), uses: [.none, .none]), "no stage reads the teacher")
        XCTAssertTrue(caches(try teachers(), uses: [.none, .logits]), "a later stage reads it")
        XCTAssertFalse(caches(try teachers(trainBN: true)), "teacher.train_bn")
        XCTAssertFalse(caches(Teachers.none), "no teacher")
    }

    func testPipelinesPassTheirCacheTeacherOn() throws {
        for (name, extra) in [("ban", [String: ParamValue]()), ("takd", ["assistant": .model(ModelConfig(name: "mlp-8"))])] {
            let specs = try XCTUnwrap(MethodRegistry.entry(name)?.params)
            XCTAssertTrue(specs.contains { $0.name == "cache_teacher" }, "\(name) declares cache_teacher")
            for on in [false, true] {
                var p = ParamValues(defaults: specs, path: "method").setting("cache_teacher", .bool(on))
                for (k, v) in extra { p[k] = v }
                let plan = try MethodRegistry.buildPipeline(name: name, params: p).plan(
                    student: ModelConfig(name: "mlp-16"), hasTeacher: true)
                for run in plan { XCTAssertEqual(TeacherCaching.requested(run.kdParams), on, "\(name) \(run.name)") }
            }
        }
        XCTAssertThrowsError(try TeacherCaching.check(ParamValues().setting("cache_teacher", .bool(true)), augmented: true))
        XCTAssertNoThrow(try TeacherCaching.check(ParamValues().setting("cache_teacher", .bool(true)), augmented: false))
    }
}
