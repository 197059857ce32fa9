// StudyMetric: what a study can optimise (beyond.md 4.5): validation figures measured at each rung on the
// network being trained (accuracy, worst class, mean corruption accuracy, PGD accuracy) and static costs of
// the trial's network (parameters, FLOPs, batch-1 latency). Any `test_*` figure is refused by name.

import Foundation
import KDAdversarial
import KDData
import KDJSON
import KDNN
import KDTensor

/// A figure a study can rank trials by.
public enum StudyMetric: String, CaseIterable, Sendable {
    /// Validation accuracy (every run's metrics line has it).
    case valAcc = "val_acc"
    /// The lowest per-class accuracy on validation.
    case valWorstClassAcc = "val_worst_class_acc"
    /// Mean accuracy over the dataset's corruptions × 5 severities, on validation (mCA).
    case valMCA = "val_mca"
    /// Accuracy under the dataset's PGD evaluation attack (ThreatDefaults), on validation.
    case valRobustAcc = "val_robust_acc"
    /// Trainable parameters of the trial's network.
    case params
    /// Forward FLOPs per image.
    case flops
    /// Median of 20 timed batch-1 eval forwards after 3 warm-ups (machine-dependent; cached per architecture).
    case latencyMs = "latency_ms"

    /// Measured on validation at each rung (the others are known before training).
    public var isValidation: Bool { rawValue.hasPrefix("val_") }

    /// Whether larger is better (validation figures) or smaller (costs).
    public var larger: Bool { isValidation }

    /// The names, for error messages.
    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Measures a validation metric of `model` (in eval mode) on `data`'s validation split.
    func measure(_ model: Model, data: ExperimentData, seed: Int) throws -> Double {
        guard let validation = data.validation, let images = data.validationImages else {
            throw RunInputError("\(rawValue): needs data.validation > 0")
        }
        switch self {
        case .valAcc: return Evaluator.accuracy(model, validation)
        case .valWorstClassAcc:
            return Evaluator.metrics(model, validation).fairness(classNames: nil).worstClass?.accuracy ?? 0
        case .valRobustAcc:
            let attack = ThreatDefaults.pgd(RobustnessRequest.family(data.dataset))
            return AttackEvaluation.run(
                target: model, space: PixelSpace(data.normalization), loader: validation, attacks: [attack],
                seed: UInt64(seed)
            ).outcomes[0].accuracy
        case .valMCA:
            let table = try CorruptionTable.resolve(
                nil, channels: images.channels, height: images.height, width: images.width, context: "val_mca")
            return try CorruptionEvaluation.run(
                model: model, normalization: data.normalization, images: images, table: table, seed: seed
            ).mca
        case .params, .flops, .latencyMs: throw RunError("\(rawValue) is a static cost, not measured on validation")
        }
    }

    /// A static cost of `model`.
    func cost(_ model: Model) -> Double {
        switch self {
        case .params: return Double(model.parameterCount)
        case .flops: return Double(model.flopsPerImage)
        case .latencyMs: return Self.latency(model)
        default: return .nan
        }
    }

    /// Median milliseconds of 20 batch-1 eval forwards after 3 warm-ups.
    static func latency(_ model: Model) -> Double {
        let x = Tensor.zeros([1] + model.spec.inputShape)
        var times: [Double] = []
        for i in 0..<23 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = noGrad { model.forward(x, .eval) }
            if i >= 3 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
        }
        times.sort()
        return (times[9] + times[10]) / 2
    }
}
