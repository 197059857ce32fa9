// Ensemble: KD from several teachers (Hinton et al. 2015 §3; arithmetic vs geometric averaging as in
// Romero et al. 2015 §2.1). Target p̄ = Σ_m w_m·softmax(z_m/T) (`probabilities`) or softmax(Σ_m w_m·z_m/T)
// (`logits`); L = ce_weight·CE + kd_weight·T²·KL(p̄ ‖ softmax(z_s/T)), KL batchmean.

import KDNN
import KDTensor

/// Distillation from the weighted average of several frozen teachers.
public final class Ensemble: DistillationMethod {
    /// How the teachers are combined into one target.
    public enum Average: String, CaseIterable, Sendable {
        /// Weighted mean of the tempered softmaxes (arithmetic mean).
        case probabilities
        /// Softmax of the weighted mean logits (normalised geometric mean).
        case logits
    }

    public static let params: [ParamSpec] = [
        ParamSpec(
            "teachers", .list(.string()), default: .required,
            doc: "teacher checkpoints (at least 2), loaded in order; replaces teacher.checkpoint"),
        ParamSpec(
            "weights", .list(.number(.nonNegative)), default: .absent,
            doc: "one weight per teacher, normalised to sum 1; absent: equal weights"),
        ParamSpec(
            "average", .string(choices: Average.allCases.map(\.rawValue)), default: "probabilities",
            doc: "probabilities: mean of the tempered softmaxes; logits: softmax of the mean logits"),
        ParamSpec("T", .number(.positive), default: 4, doc: "softmax temperature of all networks").standardized(2),
        ParamSpec("ce_weight", .number(.nonNegative), default: 0.1, doc: "weight of cross-entropy with the labels"),
        ParamSpec("kd_weight", .number(.nonNegative), default: 0.9, doc: "weight of the T²-scaled KL term").standardized(9),
        LogitStandardization.param,
        TeacherCaching.logitsParam,
    ]

    public static let entry = MethodEntry(
        name: "ensemble", citation: "Hinton et al. 2015",
        summary: "kd towards the (weighted) average of several teachers' tempered predictions",
        params: params, teacher: .optional, teacherCheckpoints: { p in try Ensemble.checkpoints(p) },
        shape: .single { p, setup in try Ensemble(p, setup) })

    /// The `teachers` list, checked to name at least two checkpoints.
    public static func checkpoints(_ p: ParamValues) throws -> [String] {
        let paths = try p.strings("teachers")
        guard paths.count >= 2 else {
            throw MethodError("\(p.keyPath("teachers")): expected at least 2 checkpoints, found \(paths.count)")
        }
        return paths
    }

    /// Normalised teacher weights (sum 1).
    public let weights: [Float]
    /// How the teachers are averaged.
    public let average: Average
    let soft: SoftTargetWeights

    init(_ p: ParamValues, _ setup: MethodSetup) throws {
        let paths = try Self.checkpoints(p)
        guard setup.teachers.count == paths.count else {
            throw MethodError("\(p.keyPath("teachers")): expected \(paths.count) loaded teachers, found \(setup.teachers.count)")
        }
        let classes = setup.student.spec.numClasses
        for (path, t) in zip(paths, setup.teachers) where t.spec.numClasses != classes {
            throw MethodError(
                "\(p.keyPath("teachers")): teacher \(path) (\(t.spec.name)) has \(t.spec.numClasses) classes, "
                    + "expected \(classes) like the student \(setup.student.spec.name)")
        }
        let raw = p.contains("weights") ? try p.doubles("weights") : Array(repeating: 1, count: paths.count)
        guard raw.count == paths.count else {
            throw MethodError("\(p.keyPath("weights")): expected \(paths.count) weights (one per teacher), found \(raw.count)")
        }
        let total = raw.reduce(0, +)
        guard raw.allSatisfy({ $0 >= 0 && $0.isFinite }), total > 0, total.isFinite else {
            let found = ParamValue.list(raw.map { .number($0) }).text
            throw MethodError("\(p.keyPath("weights")): expected numbers >= 0 with a positive sum, found \(found)")
        }
        weights = raw.map { Float($0 / total) }
        let name = try p.string("average")
        guard let avg = Average(rawValue: name) else {
            throw MethodError("\(p.keyPath("average")): expected one of probabilities, logits, found \"\(name)\"")
        }
        average = avg
        soft = try SoftTargetWeights(p, setup)
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .logits }

    public func losses(_ step: StepContext) -> [LossTerm] {
        let kd = Self.loss(
            student: step.student.logits, teachers: step.teachers.map(\.logits), weights: weights,
            temperature: soft.temperature, average: average, standardize: soft.standardize)
        return [step.crossEntropyTerm(weight: soft.ce), LossTerm("kd", kd * soft.kd)]
    }

    /// The ensemble's target probabilities `[B, K]` at temperature T from teacher logits `[B, K]` each
    /// and weights summing to 1 (no tape).
    public static func targetProbabilities(
        teachers: [Tensor], weights: [Float], temperature t: Float,
        average: Average, standardize: Bool = false
    ) -> Tensor {
        noGrad {
            switch average {
            case .probabilities:
                return sum(
                    zip(teachers, weights).map { z, w in (LogitStandardization.apply(z, standardize) * (1 / t)).softmax() * w })
            case .logits:
                return (LogitStandardization.apply(meanLogits(teachers, weights), standardize) * (1 / t)).softmax()
            }
        }
    }

    /// T²·KL(target ‖ softmax(z_s/T)), batchmean, towards the ensemble's target; the teachers are frozen.
    public static func loss(
        student zs: Tensor, teachers: [Tensor], weights: [Float], temperature t: Float,
        average: Average, standardize: Bool = false
    ) -> Tensor {
        switch average {
        case .probabilities:
            let target = targetProbabilities(
                teachers: teachers, weights: weights, temperature: t, average: average, standardize: standardize)
            return SoftTargets.kd(student: zs, targetProbabilities: target, temperature: t, standardize: standardize)
        case .logits:
            return SoftTargets.kd(
                student: zs, teacher: noGrad { meanLogits(teachers, weights) }, temperature: t, standardize: standardize)
        }
    }

    /// Σ_m w_m·z_m `[B, K]`.
    static func meanLogits(_ teachers: [Tensor], _ weights: [Float]) -> Tensor {
        sum(zip(teachers, weights).map { z, w in z * w })
    }

    /// Elementwise sum of one or more tensors of one shape.
    static func sum(_ terms: [Tensor]) -> Tensor {
        precondition(!terms.isEmpty, "Ensemble: no teachers")
        return terms.dropFirst().reduce(terms[0], +)
    }
}
