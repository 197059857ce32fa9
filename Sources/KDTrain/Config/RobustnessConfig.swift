// RobustnessConfig: the config's robustness keys: `adversarial` (Madry et al. 2018's training of a robust
// teacher or baseline on its own PGD examples) and `evaluation` (attacks run on the finished run's best
// checkpoint, into robustness.json and summary.json); schema, decoding and resolved JSON in one place.

import KDAdversarial
import KDData
import KDMethods

/// `adversarial`: train on attacks against the model being trained (train-teacher).
public struct AdversarialConfig: Equatable, Sendable {
    public var kind: AttackKind
    /// ε in pixel units (nil: the dataset's, MNIST 0.3, Fashion-MNIST 0.1, CIFAR 8/255).
    public var eps: Double?
    public var steps: Int
    /// nil: ε/4.
    public var stepSize: Double?
    public var randomStart: Bool

    /// The attack on `dataset`.
    public func settings(for dataset: DatasetName) -> AttackSettings {
        let e = eps.map(Float.init) ?? ThreatDefaults.training(RobustnessRequest.family(dataset)).eps
        return AttackSettings(
            kind: kind, eps: e, steps: steps, stepSize: stepSize.map(Float.init) ?? e / 4, start: randomStart ? .uniform : .clean)
    }
}

/// `evaluation`: robustness figures computed once training ends.
public struct EvaluationConfig: Equatable, Sendable {
    /// Which attacks (nil: none).
    public var attacks: RobustnessRequest.AttackChoice?
    /// Which corruptions (nil: none).
    public var corruptions: RobustnessRequest.CorruptionChoice?
    public var seed: Int
    /// Also attack the teacher, side by side (distill).
    public var teacher: Bool
}

extension ConfigSchema {
    /// Keys of `adversarial`.
    public static let adversarial: [ParamSpec] = [
        ParamSpec("attack", .string(choices: AttackKind.allCases.map(\.rawValue)), default: "pgd", doc: "the training attack"),
        ParamSpec(
            "eps", .numberOr("auto", .positive), default: "auto",
            doc: "L∞ budget in [0, 1] pixels (auto: the dataset's, MNIST 0.3, Fashion-MNIST 0.1, CIFAR 8/255)"),
        ParamSpec("steps", .integer(.positive), default: 10, doc: "PGD steps"),
        ParamSpec("step_size", .numberOr("auto", .positive), default: "auto", doc: "PGD step size (auto: eps/4)"),
        ParamSpec("random_start", .boolean, default: true, doc: "PGD starts at a uniform point of the ε-ball"),
    ]

    /// Keys of `evaluation`.
    public static let evaluation: [ParamSpec] = [
        ParamSpec(
            "robustness", .boolean, default: false,
            doc: "after training, the default suite on the best checkpoint: FGSM and PGD at the dataset's customary "
                + "budgets and every corruption at every severity"),
        ParamSpec(
            "attacks", .list(.string(choices: AttackKind.allCases.map(\.rawValue))), default: .absent,
            doc: "attacks (absent: both)"),
        ParamSpec("eps", .list(.number(.positive)), default: .absent, doc: "budgets in pixels (absent: the dataset's sweep)"),
        ParamSpec("steps", .integer(.positive), default: .absent, doc: "PGD steps (absent: the dataset's, 20; MNIST 40)"),
        ParamSpec(
            "step_size", .number(.positive), default: .absent, doc: "PGD step size (absent: the dataset's α scaled with ε)"),
        ParamSpec("restarts", .integer(.positive), default: 1, doc: "PGD restarts"),
        ParamSpec(
            "corruptions", .string(), default: .absent,
            doc: "common corruptions: all or comma-separated names (absent: all with robustness, else none)"),
        ParamSpec("severities", .string(), default: "1-5", doc: "corruption severities, e.g. 1-5 or 1,3"),
        ParamSpec(
            "table", .string(choices: CorruptionTable.allCases.map(\.rawValue)), default: .absent,
            doc: "corruption table (absent: by input shape)"),
        ParamSpec(
            "seed", .integer(.nonNegative), default: 0, doc: "seed of the attacks' random starts and the corruptions' noise"),
        ParamSpec("teacher", .boolean, default: false, doc: "also attack the teacher, side by side"),
    ]
}

extension ExperimentConfig {
    /// `adversarial` from schema-checked values.
    static func adversarial(_ a: ParamValues) throws -> AdversarialConfig {
        AdversarialConfig(
            kind: try enumValue(AttackKind.self, a, "attack"),
            eps: a["eps"] == .string("auto") ? nil : try a.double("eps"), steps: try a.int("steps"),
            stepSize: a["step_size"] == .string("auto") ? nil : try a.double("step_size"),
            randomStart: try a.bool("random_start"))
    }

    /// `evaluation` from schema-checked values.
    static func evaluation(_ e: ParamValues) throws -> EvaluationConfig {
        let named = ["attacks", "eps", "steps", "step_size"].contains { e.contains($0) }
        let suite = try e.bool("robustness")
        var attacks: RobustnessRequest.AttackChoice?
        if suite || named {
            attacks = RobustnessRequest.AttackChoice(
                kinds: try e.contains("attacks") ? e.strings("attacks").compactMap(AttackKind.init(rawValue:)) : nil,
                eps: try e.contains("eps") ? e.doubles("eps") : nil, steps: try e.optionalInt("steps"),
                stepSize: try e.optionalDouble("step_size"), restarts: try e.int("restarts"))
        }
        var corruptions: RobustnessRequest.CorruptionChoice?
        if suite || e.contains("corruptions") {
            do {
                corruptions = try RobustnessRequest.CorruptionChoice(
                    parsing: try e.optionalString("corruptions"), severities: try e.string("severities"),
                    table: try e.optionalString("table"))
            } catch {
                throw ParamError(path: e.keyPath("corruptions"), message: "\(error)")
            }
        }
        return EvaluationConfig(
            attacks: attacks, corruptions: corruptions, seed: try e.int("seed"), teacher: try e.bool("teacher"))
    }

    /// `adversarial` as resolved JSON.
    static func json(_ a: AdversarialConfig) -> JSONValue {
        [
            "attack": .string(a.kind.rawValue), "eps": a.eps.map(JSONValue.number) ?? "auto", "steps": .int(a.steps),
            "step_size": a.stepSize.map(JSONValue.number) ?? "auto", "random_start": .bool(a.randomStart),
        ]
    }

    /// `evaluation` as resolved JSON.
    static func json(_ e: EvaluationConfig) -> JSONValue {
        var o: JSONObject = ["robustness": .bool(e.attacks != nil && e.corruptions != nil)]
        if let a = e.attacks {
            o["attacks"] = a.kinds.map { .array($0.map { .string($0.rawValue) }) }
            o["eps"] = a.eps.map { .array($0.map(JSONValue.number)) }
            o["steps"] = a.steps.map(JSONValue.int)
            o["step_size"] = a.stepSize.map(JSONValue.number)
            o["restarts"] = .int(a.restarts ?? 1)
        }
        if let c = e.corruptions {
            o["corruptions"] = .string(c.corruptions.map(\.rawValue).joined(separator: ","))
            o["severities"] = .string(c.severities.map(String.init).joined(separator: ","))
            o["table"] = c.table.map { .string($0.rawValue) }
        }
        o["seed"] = .int(e.seed)
        o["teacher"] = .bool(e.teacher)
        return .object(o)
    }
}
