// TeacherStoreTests: the on-disk teacher cache: its key follows what the teacher sees (checkpoint
// bytes, exact images and order, taps), entries are built once and mapped with identical values, a
// superset entry serves fewer taps, LRU eviction spares entries in use, damaged entries are rebuilt,
// crashed builders' temporary files go, and concurrent builders of one key build it once.

import Foundation
import KDData
import KDMethods
import KDNN
import KDSupport
import KDTensor
import KDTrain
import TestSupport
import XCTest

final class TeacherStoreTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "kd-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// 200 images 1x12x12 with varied pixels.
    func dataset(labelShift: Int32 = 0) throws -> ImageDataset {
        let n = 200
        let pixels: [UInt8] = (0..<n * 144).map { (k: Int) -> UInt8 in UInt8((k * 37 + k / 144 * 11) % 256) }
        let labels: [Int32] = (0..<n).map { (i: Int) -> Int32 in (Int32(i) + labelShift) % 10 }
        return try ImageDataset(pixels: pixels, labels: labels, channels: 1, height: 12, width: 12, numClasses: 10)
    }

    func loader(_ ds: ImageDataset, norm: Normalization = Normalization(mean: [0.5], std: [0.25])) throws -> BatchLoader {
        try BatchLoader(dataset: ds, normalization: norm, batchSize: 16, shuffle: true)
    }

    /// A resnet8 teacher saved under `name`; returns its path.
    func checkpoint(_ name: String, seed: UInt64) throws -> String {
        let model = try Zoo.build(spec, seed: seed)
        let path = dir + "/" + name + ".safetensors"
        try model.saveCheckpoint(to: path, metadata: [:])
        return path
    }

    let spec = ModelSpec(name: "resnet8", inputShape: [1, 12, 12], numClasses: 10)

    func key(_ path: String, _ loader: BatchLoader, taps: Set<String> = []) throws -> TeacherCacheKey {
        return try TeacherCacheKey(
            checkpointPath: path, model: spec, loader: loader, images: TeacherCacheKey.imagesHash(loader), dataset: "test",
            taps: taps)
    }

    /// Teachers from `path`, cached for `loader` through `store`; returns them (and their use of the store).
    func cached(_ path: String, _ loader: BatchLoader, taps: Set<String>, store: TeacherStore) throws -> Teachers {
        let model = try ModelCheckpoint(path: path).model(fallback: spec, hint: "")
        let teachers = Teachers(models: [model], paths: [path], trainBN: false)
        XCTAssertTrue(teachers.buildCache(for: loader, taps: taps, store: store, dataset: "test"))
        return teachers
    }

    func testKeyFollowsTheCheckpointBytesAndTheExactImages() throws {
        let a = try checkpoint("a", seed: 1), b = try checkpoint("b", seed: 2)
        let ds = try dataset(), full = try loader(ds)
        let base = try key(a, full)
        XCTAssertEqual(try key(a, try loader(ds)).id, base.id, "same teacher and images: a hit")
        let copy = dir + "/copy.safetensors"
        try FileManager.default.copyItem(atPath: a, toPath: copy)
        XCTAssertEqual(try key(copy, full).id, base.id, "the content decides, not the path")
        XCTAssertNotEqual(try key(b, full).id, base.id, "another checkpoint misses")
        var bytes = try FileIO.readBytes(a)
        bytes[bytes.count - 1] ^= 1
        try AtomicFile.write(bytes, to: copy)
        XCTAssertNotEqual(try key(copy, full).id, base.id, "one changed byte of the checkpoint misses")

        let limitedA = try key(a, try loader(try ds.limited(to: 100, seed: 202)))
        XCTAssertEqual(try key(a, try loader(try ds.limited(to: 100, seed: 202))).id, limitedA.id)
        XCTAssertNotEqual(limitedA.id, base.id, "a data.limit misses")
        XCTAssertNotEqual(try key(a, try loader(try ds.limited(to: 100, seed: 203))).id, limitedA.id, "another subset misses")
        XCTAssertNotEqual(try key(a, try loader(try ds.limited(to: 101, seed: 202))).id, limitedA.id)
        let heldOut = { (seed: UInt64) in try self.key(a, try self.loader(try ds.splitValidation(count: 20, seed: seed).train)) }
        XCTAssertNotEqual(try heldOut(101).id, try heldOut(102).id, "another validation hold-out misses")
        XCTAssertNotEqual(
            try key(a, try loader(ds, norm: Normalization(mean: [0.4], std: [0.25]))).id, base.id, "another normalisation misses")
        XCTAssertEqual(try key(a, try loader(try dataset(labelShift: 3))).id, base.id, "labels do not reach the teacher")

        let tapped = try key(a, full, taps: ["layer1", "layer2"])
        XCTAssertNotEqual(tapped.id, base.id)
        XCTAssertEqual(tapped.base, base.base, "taps aside, the same key")
        XCTAssertTrue(try key(a, full, taps: ["layer2"]).isServed(by: tapped), "a superset serves a subset")
        XCTAssertFalse(try key(a, full, taps: ["layer3"]).isServed(by: tapped))
        XCTAssertFalse(try key(b, full, taps: ["layer2"]).isServed(by: tapped))
        XCTAssertEqual(TeacherCacheKey(json: tapped.json), tapped, "the manifest form reads back")
    }

    func testBuiltOnceThenMappedWithIdenticalValues() throws {
        let a = try checkpoint("a", seed: 1), train = try loader(try dataset())
        let store = TeacherStore(directory: dir + "/cache")
        let first = try cached(a, train, taps: ["layer1", "layer2"], store: store)
        let id = try key(a, train, taps: ["layer1", "layer2"]).id
        XCTAssertEqual(first.cacheSources, [.built(id: id)])
        let again = try cached(a, train, taps: ["layer1", "layer2"], store: store)
        XCTAssertEqual(again.cacheSources, [.reused(id: id)])
        let subset = try cached(a, train, taps: ["layer2"], store: store)
        XCTAssertEqual(subset.cacheSources, [.reused(id: id)], "the superset entry serves one tap")
        for b in [0, 3, train.numBatches - 1] {
            let batch = train.batch(epoch: 2, index: b)
            let want = first.outputs(for: batch, use: .features(["layer1", "layer2"]))[0]
            let got = again.outputs(for: batch, use: .features(["layer1", "layer2"]))[0]
            XCTAssertEqual(got.logits.scalars, want.logits.scalars, "bit for bit")
            XCTAssertEqual(got.taps["layer1"]?.scalars, want.taps["layer1"]?.scalars)
            XCTAssertEqual(got.taps["layer2"]?.shape, want.taps["layer2"]?.shape)
            XCTAssertEqual(
                subset.outputs(for: batch, use: .features(["layer2"]))[0].taps["layer2"]?.scalars, want.taps["layer2"]?.scalars)
        }
        let other = try cached(a, train, taps: ["layer3"], store: store)
        XCTAssertEqual(
            other.cacheSources, [.built(id: try key(a, train, taps: ["layer3"]).id)], "a tap the entry lacks: a new entry")
        XCTAssertEqual(store.entries().count, 2)
        XCTAssertEqual(
            store.entries().first?.id, other.cacheSources.first.flatMap { if case .built(let i) = $0 { i } else { nil } })
    }

    func testLeastRecentlyUsedEntriesNotInUseAreEvicted() throws {
        let train = try loader(try dataset())
        let paths = try (1...4).map { try checkpoint("t\($0)", seed: UInt64($0)) }
        let ids = try paths.map { try key($0, train, taps: ["layer1"]).id }
        // One entry: logits [200, 10] and layer1 [200, 16, 12, 12], about 1.85 MB; room for two.
        let store = TeacherStore(directory: dir + "/cache", limit: 4_200_000)
        _ = try cached(paths[0], train, taps: ["layer1"], store: store)
        _ = try cached(paths[1], train, taps: ["layer1"], store: store)
        XCTAssertEqual(try cached(paths[0], train, taps: ["layer1"], store: store).cacheSources, [.reused(id: ids[0])])
        _ = try cached(paths[2], train, taps: ["layer1"], store: store)
        XCTAssertEqual(Set(store.entries().map(\.id)), [ids[0], ids[2]], "t2, the least recently used, went")
        // t1 is now the least recently used, but another process reads it: t3 goes instead.
        let reader = try FileLock.acquire(dir + "/cache/\(ids[0]).use.lock", .shared)
        _ = try cached(paths[3], train, taps: ["layer1"], store: store)
        XCTAssertEqual(Set(store.entries().map(\.id)), [ids[0], ids[3]])
        // Everything in use: the new outputs are used but not stored.
        let holder = try cached(paths[3], train, taps: ["layer1"], store: store)
        let t2 = try cached(paths[1], train, taps: ["layer1"], store: store)
        guard case .notStored = t2.cacheSources.first else { return XCTFail("\(t2.cacheSources)") }
        XCTAssertTrue(t2.isCached)
        withExtendedLifetime((reader, holder)) {}
        let tiny = TeacherStore(directory: dir + "/tiny", limit: 1000)
        guard case .notStored = try cached(paths[0], train, taps: [], store: tiny).cacheSources.first else {
            return XCTFail("an entry over the whole limit is not stored")
        }
        XCTAssertEqual(tiny.entries().count, 0)
    }

    func testDamagedEntriesAreRebuiltAndCrashedBuildersLeaveNothing() throws {
        let a = try checkpoint("a", seed: 1), train = try loader(try dataset())
        let store = TeacherStore(directory: dir + "/cache")
        let id = try key(a, train, taps: ["layer2"]).id
        let reference = try cached(a, train, taps: ["layer2"], store: store)
        let batch = train.batch(epoch: 0, index: 1)
        let want = reference.outputs(for: batch, use: .features(["layer2"]))[0].taps["layer2"]?.scalars
        let data = dir + "/cache/\(id).safetensors"
        let good = try FileIO.readBytes(data)
        for damaged in [Array(good.prefix(good.count / 2)), [UInt8](repeating: 7, count: 64), []] {
            try AtomicFile.write(damaged, to: data)
            let rebuilt = try cached(a, train, taps: ["layer2"], store: store)
            XCTAssertEqual(rebuilt.cacheSources, [.built(id: id)], "\(damaged.count) bytes: rebuilt")
            XCTAssertEqual(rebuilt.outputs(for: batch, use: .features(["layer2"]))[0].taps["layer2"]?.scalars, want)
        }
        XCTAssertEqual(try cached(a, train, taps: ["layer2"], store: store).cacheSources, [.reused(id: id)])
        // A builder that died mid-write (pid gone) left a temporary file: the next build removes it.
        let stale = dir + "/cache/.\(id).safetensors.tmp-2147483646-1"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: stale))
        unlink(data)
        XCTAssertEqual(try cached(a, train, taps: ["layer2"], store: store).cacheSources, [.built(id: id)])
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        let left = try FileManager.default.contentsOfDirectory(atPath: dir + "/cache").filter { $0.hasPrefix(".") }
        XCTAssertEqual(left, [], "no temporary files")
        let cleared = try store.clear(prefix: String(id.prefix(6)))
        XCTAssertEqual(cleared.removed, [], "in use by the teachers above")
        XCTAssertEqual(cleared.inUse, [id])
        XCTAssertThrowsError(try store.clear(prefix: "ffffffffffffffffffff"))
        withExtendedLifetime(reference) {}
    }

    func testConcurrentBuildersOfOneKeyBuildItOnce() throws {
        let a = try checkpoint("a", seed: 1), train = try loader(try dataset())
        let id = try key(a, train, taps: ["layer1"]).id
        var sources: [[TeacherStore.Source]] = [[], [], []]
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            let store = TeacherStore(directory: dir + "/cache")
            let got = (try? cached(a, train, taps: ["layer1"], store: store).cacheSources) ?? []
            lock.lock()
            sources[i] = got
            lock.unlock()
        }
        XCTAssertEqual(sources.filter { $0 == [.built(id: id)] }.count, 1, "\(sources)")
        XCTAssertEqual(sources.filter { $0 == [.reused(id: id)] }.count, 2, "\(sources)")
    }

    func testEnvironmentConfiguresTheStore() throws {
        XCTAssertNil(try TeacherStore.fromEnvironment(["KDISTILL_CACHE": "off"]))
        let s = try XCTUnwrap(try TeacherStore.fromEnvironment(["KDISTILL_CACHE": "/x/y", "KDISTILL_CACHE_LIMIT": "512M"]))
        XCTAssertEqual(s.directory, "/x/y")
        XCTAssertEqual(s.limit, 512 << 20)
        XCTAssertEqual(try TeacherStore.fromEnvironment(["HOME": "/home/u"])?.directory, "/home/u/.cache/kdistill/teachers")
        XCTAssertEqual(try TeacherStore.fromEnvironment(["HOME": "/home/u"])?.limit, TeacherStore.defaultLimit)
        XCTAssertEqual(try TeacherStore.fromEnvironment(["XDG_CACHE_HOME": "/c"])?.directory, "/c/kdistill/teachers")
        XCTAssertEqual(try TeacherStore.fromEnvironment(["KDISTILL_CACHE_LIMIT": "1.5g"])?.limit, 3 << 29)
        for bad in ["lots", "-1", "4GB", ""] {
            XCTAssertThrowsError(try TeacherStore.fromEnvironment(["KDISTILL_CACHE_LIMIT": bad]), bad) {
                XCTAssertTrue("\($0)".hasPrefix("KDISTILL_CACHE_LIMIT: expected a size"), "\($0)")
            }
        }
    }
}
