// QuantTestSupport: small zoo models with random batch-norm statistics (a fresh BN is the identity and
// would hide a folding error) and random normalised images, for the int8 model's tests.

import KDNN
import KDQuant
import KDTensor

/// A zoo model whose every batch norm has random γ, β, running mean and variance.
func randomizedModel(_ name: String, _ shape: [Int], classes: Int = 5, seed: UInt64 = 7) throws -> Model {
    let model = try Zoo.build(ModelSpec(name: name, inputShape: shape, numClasses: classes), seed: seed)
    var rng = SeededGenerator(seed: seed &+ 1)
    for t in model.state {
        let parts = t.name.split(separator: ".")
        guard let last = parts.last,
            model.state.contains(where: { $0.name == parts.dropLast().joined(separator: ".") + ".running_mean" })
        else { continue }
        for i in 0..<t.tensor.count {
            switch last {
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

/// `n` normalised-looking images: N(0, 1) values.
func randomImages(_ n: Int, _ shape: [Int], seed: UInt64 = 11) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor(shape: [n] + shape, scalars: (0..<(n * shape.reduce(1, *))).map { _ in rng.normal() })
}

/// The arg-max of each row of `[N, K]`.
func argmax(_ t: Tensor) -> [Int] {
    let k = t.shape[1]
    return (0..<t.shape[0]).map { r in (0..<k).max { t.data[r * k + $0] < t.data[r * k + $1] } ?? 0 }
}

/// A model quantized with min–max ranges observed on `x`.
func quantized(_ model: Model, calibratedOn x: Tensor) throws -> (FoldedProgram, QuantizedModel) {
    let program = try FoldedProgram(model: model)
    let ranges = try Calibration.ranges(program, batches: [x], method: .minMax)
    return (program, try QuantizedModel(program: program, ranges: ranges))
}
