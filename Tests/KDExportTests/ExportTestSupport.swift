// ExportTestSupport: zoo models with random batch-norm statistics and biases (a fresh model's BN is the
// identity, which would hide a folding error), random normalisations, and the comparison every export
// test makes: the decoded ONNX graph run by the interpreter against the model's own forward pass.

import KDExport
import KDNN
import KDTensor
import XCTest

/// A model of the zoo whose every batch norm has random γ, β, running mean and variance.
func randomizedModel(_ name: String, _ shape: [Int], classes: Int = 5, seed: UInt64 = 7) throws -> Model {
    let model = try Zoo.build(ModelSpec(name: name, inputShape: shape, numClasses: classes), seed: seed)
    var rng = SeededGenerator(seed: seed &+ 1)
    let state = model.state
    let bnPrefixes = Set(state.filter { $0.name.hasSuffix("running_mean") }.map { $0.name.dropLast("running_mean".count) })
    for t in state {
        let prefix = t.name[..<(t.name.lastIndex(of: ".").map { t.name.index(after: $0) } ?? t.name.startIndex)]
        guard bnPrefixes.contains(prefix) else { continue }
        for i in 0..<t.tensor.count {
            switch t.name.dropFirst(prefix.count) {
            case "weight": t.tensor.data[i] = 0.5 + rng.uniform()
            case "bias": t.tensor.data[i] = 0.2 * rng.normal()
            case "running_mean": t.tensor.data[i] = 0.3 * rng.normal()
            case "running_var": t.tensor.data[i] = 0.5 + 1.5 * rng.uniform()
            default: continue
            }
        }
    }
    return model
}

/// A normalisation of `channels` channels with means in [0.2, 0.6] and stds in [0.2, 0.5].
func randomNormalization(channels: Int, seed: UInt64 = 3) -> CheckpointMetadata.Normalization {
    var rng = SeededGenerator(seed: seed)
    return CheckpointMetadata.Normalization(
        mean: (0..<channels).map { _ in 0.2 + 0.4 * rng.uniform() }, std: (0..<channels).map { _ in 0.2 + 0.3 * rng.uniform() })
}

/// `n` random images of pixels/255 in [0, 1].
func randomPixels(_ n: Int, _ shape: [Int], seed: UInt64 = 11) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor(shape: [n] + shape, scalars: (0..<(n * shape.reduce(1, *))).map { _ in rng.uniform() })
}

/// `(x − mean[c]) / std[c]`.
func normalized(_ x: Tensor, _ norm: CheckpointMetadata.Normalization) -> Tensor {
    let c = norm.mean.count
    return (x - Tensor(shape: [1, c, 1, 1], scalars: norm.mean)) / Tensor(shape: [1, c, 1, 1], scalars: norm.std)
}

/// The largest |a − b| relative to max(1, max |b|).
func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
    let scale = max(1, b.scalars.map(abs).max() ?? 0)
    return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
}

/// Exports `model`, writes and decodes the bytes, runs the decoded graph on `pixels` and returns it with
/// the model's own evaluation-mode logits.
func exportAndRun(
    _ model: Model, _ norm: CheckpointMetadata.Normalization, _ options: ONNXExportOptions, pixels: Tensor
) throws -> (onnx: ONNX.Model, exported: Tensor, expected: Tensor) {
    let onnx = try ONNXExport.model(model, normalization: norm, options: options)
    let decoded = try ONNX.Model(decoding: onnx.serialized())
    let exported = try ONNXInterpreter.run(decoded, input: pixels)
    let expected = noGrad { model.forward(normalized(pixels, norm), .eval).logits }
    return (decoded, exported, expected)
}
