// Teachers: the frozen networks of a distillation run: loading them from checkpoints (kdistill or
// PyTorch files), running them without gradients, and caching their training-set logits.

import KDData
import KDMethods
import KDNN
import KDTensor

/// The frozen teacher networks and, optionally, their cached training-set logits.
public final class Teachers {
    public let models: [Model]
    public let paths: [String]
    let context: ForwardContext
    /// Per teacher: logits of every training image `[N, K]`, indexed by dataset position.
    private var cache: [Tensor]?

    public init(models: [Model], paths: [String], trainBN: Bool) {
        self.models = models
        self.paths = paths
        context = ForwardContext(training: trainBN)
    }

    /// No teacher.
    public static let none = Teachers(models: [], paths: [], trainBN: false)

    /// Loads the checkpoint at `path` as a teacher for `data`. Without kdistill metadata the architecture
    /// comes from `fallback` (`teacher.model`); shape and class-count mismatches are clear errors.
    public static func load(_ path: String, fallback: ModelConfig?, data: ExperimentData) throws -> Model {
        let file = try SafetensorsFile.read(path: path)
        let meta = try CheckpointMetadata.decode(file.metadata, source: path)
        var spec: ModelSpec
        if meta.model != nil {
            spec = try meta.modelSpec(source: path)
        } else if let fallback {
            spec = data.spec(fallback)
        } else {
            throw RunInputError(
                "\(path): the checkpoint does not say which model it holds (no kdistill metadata); set teacher.model")
        }
        if spec.inputShape != data.inputShape || spec.numClasses != data.numClasses {
            throw RunInputError(
                "\(path): expected a model for input \(data.inputShape) with \(data.numClasses) classes "
                    + "(\(data.dataset.rawValue)), found \(spec.name) for input \(spec.inputShape) with \(spec.numClasses) classes"
            )
        }
        spec.dropout = 0
        let model = try Zoo.build(spec, seed: 0)
        try model.loadStateDict(file.tensors, source: path)
        return model
    }

    /// Precomputes every teacher's logits for the training set (requires unaugmented batches).
    public func buildCache(for loader: BatchLoader) {
        cache = models.map { model in
            let all = Tensor(uninitialized: [loader.count, model.spec.numClasses])
            let k = model.spec.numClasses
            var start = 0
            while start < loader.count {
                let indices = Array(start..<min(loader.count, start + 1000))
                let logits = noGrad { model.forward(loader.batch(indices: indices).images, context).logits }
                (all.data + start * k).update(from: logits.data, count: indices.count * k)
                start += indices.count
            }
            return all
        }
    }

    public var isCached: Bool { cache != nil }

    /// The teachers' outputs for `batch` as `use` requires (cached logits when available).
    public func outputs(for batch: Batch, use: TeacherUse) -> [ModelOutput] {
        if use == .none || models.isEmpty { return [] }
        if use == .logits, let cache {
            return cache.map { all in
                let k = all.shape[1]
                let rows = Tensor(uninitialized: [batch.indices.count, k])
                for (r, i) in batch.indices.enumerated() { (rows.data + r * k).update(from: all.data + i * k, count: k) }
                return ModelOutput(logits: rows, taps: [:])
            }
        }
        return noGrad { models.map { $0.forward(batch.images, context) } }
    }
}

/// Bad input found while setting up a run (a checkpoint that doesn't fit): exit status 2.
public struct RunInputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
