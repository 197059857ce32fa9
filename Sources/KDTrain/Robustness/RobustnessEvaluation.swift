// RobustnessEvaluation: a request's attacks run on a student (and its teacher, side by side), written as
// the `robustness` block of `kdistill eval --json`, robustness.json and summary.json (beyond.md §2.4).

import KDAdversarial
import KDData
import KDJSON
import KDNN
import KDTensor

/// A network under evaluation with its own input normalisation.
public struct RobustnessSubject {
    public let model: Model
    public let normalization: Normalization
    public var space: PixelSpace { PixelSpace(normalization) }

    public init(model: Model, normalization: Normalization) {
        (self.model, self.normalization) = (model, normalization)
    }
}

/// What a corruption evaluation's CE and mCE are relative to (Hendrycks & Dietterich 2019 use AlexNet).
public enum CorruptionBaseline {
    /// Results evaluated before (a baseline run's robustness.json).
    case results(CorruptionResults)
    /// A network to evaluate on the same corrupted images now.
    case network(RobustnessSubject)
}

/// Runs a `RobustnessRequest`.
public enum RobustnessEvaluation {
    /// The robustness block: clean accuracy and, per attack, the student's robust accuracy, with `teacher` the
    /// teacher's and the gap (teacher − student). With `transfer`, every attack is crafted on that network
    /// (named `transferName`) instead of white-box. Corruptions (of `images`, the clean set `loader` reads) add
    /// a `corruptions` block (and `teacher_corruptions`), compared with `baseline` when given.
    public static func run(
        _ request: RobustnessRequest, student: RobustnessSubject, teacher: RobustnessSubject? = nil,
        transfer: RobustnessSubject? = nil, transferName: String? = nil, loader: BatchLoader, images: ImageDataset? = nil,
        baseline: CorruptionBaseline? = nil
    ) throws -> JSONValue {
        let source = transfer.map { (model: $0.model, space: $0.space) }
        if !request.attacks.isEmpty {
            ProgressDisplay.log(
                "robustness: \(request.attacks.count) attacks on \(loader.count) images"
                    + (teacher == nil ? "" : ", student and teacher"))
        }
        let s = AttackEvaluation.run(
            target: student.model, space: student.space, source: source, loader: loader, attacks: request.attacks,
            seed: request.seed)
        let t = teacher.map {
            AttackEvaluation.run(
                target: $0.model, space: $0.space, source: source, loader: loader, attacks: request.attacks,
                seed: request.seed)
        }
        var o = JSONObject()
        o["seed"] = .int(Int(request.seed))
        o["threat_model"] = "linf, [0, 1] pixels, evaluation mode"
        o["transfer_from"] = transferName.map(JSONValue.string)
        o["clean"] = .number(s.clean)
        if let t { o["teacher_clean"] = .number(t.clean) }
        o["attacks"] = .array(
            s.outcomes.indices.map { i in
                var a = json(request.attacks[i])
                a["accuracy"] = .number(s.outcomes[i].accuracy)
                if let t {
                    a["teacher_accuracy"] = .number(t.outcomes[i].accuracy)
                    a["gap"] = .number(t.outcomes[i].accuracy - s.outcomes[i].accuracy)
                }
                return .object(a)
            })
        if let choice = request.corruptions, let images {
            let table =
                try choice.table
                ?? CorruptionTable.resolve(
                    nil, channels: images.channels, height: images.height, width: images.width, context: "--table")
            func evaluate(_ subject: RobustnessSubject) throws -> CorruptionResults {
                try CorruptionEvaluation.run(
                    model: subject.model, normalization: subject.normalization, images: images,
                    corruptions: choice.corruptions, severities: choice.severities, table: table, seed: Int(request.seed),
                    batchSize: loader.batchSize,
                    progress: { c, severity in
                        if severity == choice.severities[0] {
                            ProgressDisplay.log("robustness: \(c.rawValue) (\(subject.model.spec.name))")
                        }
                    })
            }
            let results = try evaluate(student)
            let reference: CorruptionResults? =
                switch baseline {
                case .results(let r): r
                case .network(let subject): try evaluate(subject)
                case nil: nil
                }
            o["corruptions"] = results.json(baseline: try reference.map { try results.compared(with: $0) })
            if let teacher { o["teacher_corruptions"] = try evaluate(teacher).json() }
        }
        return .object(o)
    }

    /// An attack's settings as JSON.
    static func json(_ a: AttackSettings) -> JSONObject {
        var o: JSONObject = ["attack": .string(a.kind.rawValue), "name": .string(a.name), "eps": .number(shortest(a.eps))]
        if a.kind == .pgd {
            o["steps"] = .int(a.steps)
            o["step_size"] = .number(shortest(a.stepSize))
            o["restarts"] = .int(a.restarts)
            o["random_start"] = .bool(a.start != .clean)
        }
        return o
    }

    /// A float as the double of its shortest decimal form (0.1, not 0.10000000149011612).
    static func shortest(_ x: Float) -> Double { Double("\(x)") ?? Double(x) }
}
