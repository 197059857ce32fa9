// Teachers: the frozen networks of a distillation run: loading them from checkpoints (kdistill or
// PyTorch files) and running them without gradients, or reading their cached outputs (Teachers+Caching).

import Foundation
import KDData
import KDMethods
import KDNN
import KDTensor

/// The frozen teacher networks and, optionally, their cached training-set outputs.
public final class Teachers {
    public let models: [Model]
    public let paths: [String]
    let context: ForwardContext
    /// Per teacher: its outputs for every training image, when cached.
    var cache: [TeacherCache]?
    /// The first teacher's logits for the test split, when cached (`cacheEvaluation`).
    var evaluation: TeacherCache?
    /// Per teacher, where the last `buildCache` with a store got its outputs (empty without a store).
    public internal(set) var cacheSources: [TeacherStore.Source] = []

    /// Per teacher, what it reads when that is not the run's own batches (its view differs from the
    /// student's: data's images beside a student's thumbnail); nil: the batches themselves.
    public let inputs: [TeacherInputs?]

    public init(models: [Model], paths: [String], trainBN: Bool, inputs: [TeacherInputs?] = []) {
        self.models = models
        self.paths = paths
        self.inputs = inputs.isEmpty ? models.map { _ in nil } : inputs
        context = ForwardContext(training: trainBN)
    }

    /// Loads the teachers at `paths` for `data`: each reads its checkpoint's view of data's samples
    /// (`DataView(metadata:)`: data's own images unless it was trained on a view), through its own loaders
    /// when that is not the student's view.
    public static func open(_ paths: [String], config: ExperimentConfig, data: ExperimentData) throws -> Teachers {
        var models: [Model] = [], inputs: [TeacherInputs?] = []
        for path in paths {
            let (model, feed) = try loadWithView(path, fallback: config.teacher?.model, data: data)
            models.append(model)
            inputs.append(feed)
            if let feed { ProgressDisplay.log("teacher \(path) reads \(feed.view.summary); the student \(data.view.summary)") }
        }
        return Teachers(models: models, paths: paths, trainBN: config.teacher?.trainBN ?? false, inputs: inputs)
    }

    /// Runs the teachers' batch norm on each batch's statistics from now on, running averages untouched
    /// (a method's `teacher_bn: batch`); such teachers are never cached.
    public func useBatchStatistics() { context.frozenBatchStatistics = true }

    /// No teacher.
    public static let none = Teachers(models: [], paths: [], trainBN: false)

    /// Loads the checkpoint at `path` as a teacher for `data`. Without kdistill metadata the architecture
    /// comes from `fallback` (`teacher.model`); shape and class-count mismatches are clear errors, and so is
    /// a checkpoint trained on another view than `data`'s loaders read (callers that feed one use `open`).
    public static func load(_ path: String, fallback: ModelConfig?, data: ExperimentData) throws -> Model {
        let (model, feed) = try loadWithView(path, fallback: fallback, data: data)
        guard feed == nil else {
            throw RunInputError("\(path): reads \(feed?.view.summary ?? ""), the run's images are \(data.view.summary)")
        }
        return model
    }

    /// The checkpoint at `path` and the loaders of its view (nil: it reads the run's batches). A checkpoint
    /// without kdistill metadata reads data's images and takes its architecture from `fallback`.
    static func loadWithView(_ path: String, fallback: ModelConfig?, data: ExperimentData) throws -> (Model, TeacherInputs?) {
        let file = try ModelCheckpoint(path: path)
        let view = try DataView(metadata: file.metadata, source: path)
        let feed = try data.teacherInputs(for: view)
        let shape = feed?.inputShape ?? data.inputShape
        let model = try file.model(fallback: fallback.map { data.spec($0, inputShape: shape) }, hint: "set teacher.model")
        let spec = model.spec
        if spec.inputShape != shape || spec.numClasses != data.numClasses {
            let seen = view.isOriginal ? "" : ", \(view.summary)"
            throw RunInputError(
                "\(path): expected a model for input \(shape) with \(data.numClasses) classes "
                    + "(\(data.dataset.rawValue)\(seen)), found \(spec.name) for input \(spec.inputShape) with \(spec.numClasses) classes"
            )
        }
        if let warning = unfinishedRunWarning(path) { ProgressDisplay.log(warning) }
        if let warning = testSelectedWarning(path) { ProgressDisplay.log(warning) }
        return (model, feed)
    }

    /// A warning when `path` is the best or latest checkpoint of a run that has not finished (its run
    /// directory has config.json but no summary.json): a sweep that starts a student while the teacher
    /// still trains would otherwise distill from a half-trained teacher without a word.
    public static func unfinishedRunWarning(_ path: String) -> String? {
        let run = RunDirectory(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        guard [run.bestPath, run.latestPath].contains(URL(fileURLWithPath: path).path),
            (try? run.state()) == .unfinished  // RunDirectory's rule of a finished run
        else { return nil }
        return "kdistill: warning: \(path) belongs to an unfinished run (\(run.path) has no summary.json yet): "
            + "the teacher is whatever that run had reached"
    }

    /// A warning when `path` is the best checkpoint of a run that chose it on the test set: its
    /// summary.json says `best_selected_on: test` or, for runs written before that key, its config.json
    /// held out no validation split. A student distilled from it carries test data into training.
    public static func testSelectedWarning(_ path: String) -> String? {
        let run = RunDirectory(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        guard URL(fileURLWithPath: path).path == run.bestPath else { return nil }
        func read(_ file: String) -> JSONValue? {
            (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { try? JSONValue(parsing: $0) }
        }
        let onTest: Bool
        if let split = read(run.summaryPath)?[BestSelection.summaryKey]?.stringValue {
            onTest = split == "test"
        } else if let validation = read(run.configPath)?["data"]?["validation"]?.intValue {
            onTest = validation == 0
        } else {
            return nil
        }
        guard onTest else { return nil }
        return "kdistill: warning: \(path) was selected on the test set (\(run.path) held out no validation split): "
            + "use \(run.latestPath) or train the teacher with data.validation > 0"
    }

    public var isCached: Bool { cache != nil }

    /// The teachers' outputs for the training `batch` as `use` requires (from the cache when it holds them).
    /// A teacher of another view reads the same samples (`batch.indices`) from its own loader.
    public func outputs(for batch: Batch, use: TeacherUse) -> [ModelOutput] {
        if use == .none || models.isEmpty { return [] }
        if let cache, cache.allSatisfy({ use.taps.isSubset(of: $0.taps.keys) }) {
            return cache.map { $0.rows(batch.indices, taps: use.taps) }
        }
        return noGrad {
            zip(models, inputs).map { model, feed in
                model.forward(feed.map { $0.train.batch(indices: batch.indices).images } ?? batch.images, context)
            }
        }
    }

    /// What teacher `i` reads of the split `loader` holds for the run (its own loader of the same split, or `loader`).
    func loader(_ i: Int, for split: TeacherSplit, run loader: BatchLoader) -> BatchLoader {
        guard let feed = inputs[i] else { return loader }
        switch split {
        case .train: return feed.train
        case .validation: return feed.validation ?? loader
        case .test: return feed.test
        }
    }

    /// The first teacher's test loader when it reads another view (nil: the run's test batches), for summary.json.
    public var firstTestInputs: BatchLoader? { inputs.first.flatMap { $0?.test } }

    /// A split of the run, as teachers read it.
    enum TeacherSplit { case train, validation, test }
}

/// Bad input found while setting up a run (a checkpoint that doesn't fit): exit status 2.
public struct RunInputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
