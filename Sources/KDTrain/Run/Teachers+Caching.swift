// Teachers+Caching: the one rule for caching the teachers' outputs, and the caching itself: the
// training split's logits and taps, and the test split's logits for summary.json, in memory or through a TeacherStore.

import Foundation
import KDData
import KDMethods
import KDNN
import KDTensor

extension Teachers {
    /// The one rule for whether a run caches its teachers' training-set outputs, used by every runner
    /// (single students and each run of a pipeline): the method's `cache_teacher` is on, the run reads a
    /// teacher in some stage (`uses`), batches are not `augmented`, and buildCache's own conditions hold
    /// (eval-mode batch norm, i.e. no teacher.train_bn, and the cache fits in memory). Builds the cache
    /// then (through the on-disk `store` when there is one; `dataset` names its entries), logs it, and
    /// returns whether it did.
    @discardableResult
    public func cacheIfAllowed(
        requested: Bool, train: BatchLoader, augmented: Bool, uses: [TeacherUse], store: TeacherStore? = nil,
        dataset: String = "?"
    ) -> Bool {
        guard requested, !augmented, !models.isEmpty, uses.contains(where: { $0 != .none }) else { return false }
        if context.usesBatchStatistics {
            let why = context.training ? "teacher.train_bn runs its batch norm in train mode" : "method.teacher_bn is batch"
            ProgressDisplay.log("kdistill: not caching the teacher: \(why) (its outputs depend on the batch)")
            return false
        }
        let taps = TeacherUse.combined(uses).taps
        guard buildCache(for: train, taps: taps, store: store, dataset: dataset) else { return false }
        let what = taps.isEmpty ? "logits" : "logits and taps \(taps.sorted().joined(separator: ", "))"
        ProgressDisplay.log("teacher \(what) cached for \(train.count) training images")
        return true
    }

    /// Precomputes every teacher's logits and `taps` for the training set (requires unaugmented
    /// batches and eval-mode batch norm), each teacher on its own view of `loader`'s samples (so a store
    /// entry is keyed by the images that teacher reads), or reads them from `store` when an entry there serves them
    /// (computing and storing them otherwise). Returns false, caching nothing, when the teachers run
    /// batch norm in train mode or the outputs to compute would need more than `memoryFraction` of
    /// physical memory (mapped store entries do not count: the kernel pages them in and out).
    @discardableResult
    public func buildCache(
        for loader: BatchLoader, taps: Set<String>, memoryFraction: Double = 0.4, store: TeacherStore? = nil,
        dataset: String = "?"
    ) -> Bool {
        if context.usesBatchStatistics || models.isEmpty { return false }
        let budget = memoryFraction * Double(ProcessInfo.processInfo.physicalMemory)
        var t0 = Date()  // the logged time includes hashing the images and the checkpoint
        var hashes: [(loader: BatchLoader, hash: String)] = []  // per loader teachers read (their view's images)
        func imagesHash(_ l: BatchLoader) -> String {
            if let known = hashes.first(where: { $0.loader === l }) { return known.hash }
            hashes.append((l, TeacherCacheKey.imagesHash(l)))
            return hashes[hashes.count - 1].hash
        }
        var built: [TeacherCache] = []
        var held = 0
        cacheSources = []
        for (i, (model, path)) in zip(models, paths).enumerated() {
            let input = self.loader(i, for: .train, run: loader)
            let images = store == nil ? "" : imagesHash(input)
            var computed: TeacherCache?
            let compute = { () -> TeacherCache? in
                computed = self.compute(model, loader: input, taps: taps, budget: budget - Double(held))
                return computed
            }
            let cache: TeacherCache?
            if let store {
                do {
                    let key = try TeacherCacheKey(
                        checkpointPath: path, model: model.spec, loader: input, images: images, dataset: dataset, taps: taps)
                    let got = try store.outputs(for: key, teacherPath: path, build: compute)
                    if let got {
                        Self.log(got.source, store: store, split: "train", seconds: Date().timeIntervalSince(t0))
                        t0 = Date()
                        cacheSources.append(got.source)
                    }
                    cache = got?.cache
                } catch {
                    ProgressDisplay.log("kdistill: warning: teacher cache \(store.directory) not used: \(error)")
                    cache = computed ?? compute()
                }
            } else {
                cache = compute()
            }
            guard let cache else { return false }
            if cache.computed != nil { held += cache.bytes }
            built.append(cache)
        }
        cache = built
        return true
    }

    /// One teacher's outputs for every image of `loader`, computed in chunks of 1,000 in eval mode; nil
    /// (logged) when they would need more than `budget` bytes.
    func compute(_ model: Model, loader: BatchLoader, taps: Set<String>, budget: Double) -> TeacherCache? {
        let chunk = 1000
        let first = noGrad { model.forward(loader.batch(indices: Array(0..<min(loader.count, chunk))).images, context) }
        let cache = TeacherCache(count: loader.count, like: first, taps: taps)
        if Double(cache.bytes) > budget {
            ProgressDisplay.log(
                "kdistill: not caching the teacher: its logits and taps \(taps.sorted()) would need "
                    + String(format: "%.1f GB", Double(cache.bytes) / 1e9) + "; running it every step instead")
            return nil
        }
        cache.store(first, at: 0)
        var start = first.logits.shape[0]
        while start < loader.count {
            let indices = Array(start..<min(loader.count, start + chunk))
            cache.store(noGrad { model.forward(loader.batch(indices: indices).images, context) }, at: start)
            start += indices.count
        }
        return cache
    }

    /// One line on standard error saying where the teacher's outputs for `split` came from.
    private static func log(_ source: TeacherStore.Source, store: TeacherStore, split: String, seconds: Double) {
        let time = String(format: seconds < 1 ? "%.2f s" : "%.1f s", seconds)
        switch source {
        case .built(let id):
            ProgressDisplay.log("teacher cache: built entry \(id.prefix(12)) (\(split)) in \(store.directory) (\(time))")
        case .reused(let id):
            ProgressDisplay.log("teacher cache: reusing entry \(id.prefix(12)) (\(split)) from \(store.directory) (\(time))")
        case .notStored(let reason):
            ProgressDisplay.log("teacher cache: computed the teacher's \(split) outputs but did not store them: \(reason)")
        }
    }

    /// Caches the first teacher's logits for `test` (the split summary.json evaluates it on), through
    /// `store` when there is one, so that a run with a cached teacher never runs it. Only after
    /// `cacheIfAllowed` said yes (eval-mode batch norm); computed in the same chunks with or without a store.
    public func cacheEvaluation(for test: BatchLoader, store: TeacherStore?, dataset: String) {
        guard let model = models.first, let path = paths.first, !context.usesBatchStatistics else { return }
        let input = loader(0, for: .test, run: test)  // the same samples as the first teacher reads them
        let compute = { self.compute(model, loader: input, taps: [], budget: .infinity) }
        guard let store else {
            evaluation = compute()
            return
        }
        do {
            let t0 = Date()
            let key = try TeacherCacheKey(
                checkpointPath: path, model: model.spec, loader: input, images: TeacherCacheKey.imagesHash(input),
                dataset: dataset, split: "test", taps: [])
            if let got = try store.outputs(for: key, teacherPath: path, build: compute) {
                Self.log(got.source, store: store, split: "test", seconds: Date().timeIntervalSince(t0))
                evaluation = got.cache
            }
        } catch {
            ProgressDisplay.log("kdistill: warning: teacher cache \(store.directory) not used for the test split: \(error)")
            evaluation = compute()
        }
    }

    /// The first teacher's cached logits of a test batch (nil when not cached), for summary.json.
    public var evaluationLogits: ((Batch) -> Tensor?)? {
        guard let evaluation else { return nil }
        return { batch in evaluation.rows(batch.indices, taps: []).logits }
    }
}
