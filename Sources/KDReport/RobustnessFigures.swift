// RobustnessFigures: the `robustness` block of a run's summary.json as `kdistill report --robustness` reads
// it (RobustnessEvaluation writes it; docs/formats.md): clean and per-attack robust accuracy, per-corruption
// means, mCA, rCA, mCE, and the teacher's equivalents (`teacher_clean`, `teacher_accuracy`, `teacher_corruptions`).

import Foundation
import KDJSON

/// One L∞ attack setting as summary.json describes it: the identity of a table column (ε included).
public struct AttackColumn: Hashable, Comparable, Sendable {
    /// `fgsm` or `pgd` (another name is kept as written).
    public var attack: String
    /// Iterations (1 for FGSM).
    public var steps: Int
    /// L∞ budget in [0, 1] pixel units.
    public var eps: Double
    /// PGD step size α (nil for FGSM).
    public var stepSize: Double?
    /// Independent starts.
    public var restarts: Int
    /// Whether PGD starts at a random point of the ε-ball.
    public var randomStart: Bool

    /// The attack read from one `attacks` entry (nil without `attack` or `eps`).
    init?(json: JSONValue) {
        guard let attack = json["attack"]?.stringValue, let eps = json["eps"]?.doubleValue else { return nil }
        (self.attack, self.eps) = (attack, eps)
        steps = json["steps"]?.intValue ?? 1
        stepSize = json["step_size"]?.doubleValue
        restarts = json["restarts"]?.intValue ?? 1
        randomStart = json["random_start"]?.boolValue ?? (attack == "pgd")
    }

    /// The attack without ε: `FGSM`, `PGD-20`, `PGD-20 ×5` (restarts), `PGD-20 clean start`.
    public var family: String {
        guard attack != "fgsm" else { return "FGSM" }
        var out = attack.uppercased() + "-\(steps)"
        if restarts > 1 { out += " ×\(restarts)" }
        if attack == "pgd" && !randomStart { out += " clean start" }
        return out
    }

    /// ε as a table shows it: shortest decimal, or `k/255` when that is what it is (CIFAR budgets).
    public var epsText: String {
        let short = ResultsTable.number(eps, digits: 4)
        let k = (eps * 255).rounded()
        if abs((Double(short) ?? eps) - eps) > 1e-9 && k >= 1 && abs(eps * 255 - k) < 1e-4 { return "\(Int(k))/255" }
        return short
    }

    /// Attack order, then ε: FGSM before PGD, fewer steps, fewer restarts and random starts first (α last).
    public static func < (a: AttackColumn, b: AttackColumn) -> Bool {
        func rank(_ c: AttackColumn) -> Int { c.attack == "fgsm" ? 0 : c.attack == "pgd" ? 1 : 2 }
        let ka = (rank(a), a.attack, a.steps, a.restarts, a.randomStart ? 0 : 1, a.eps)
        let kb = (rank(b), b.attack, b.steps, b.restarts, b.randomStart ? 0 : 1, b.eps)
        return ka != kb ? ka < kb : (a.stepSize ?? 0) < (b.stepSize ?? 0)
    }
}

/// A corruption block (`corruptions` or `teacher_corruptions`).
public struct CorruptionFigures {
    /// `mnist-c` or `cifar10-c`.
    public var table: String?
    /// Mean accuracy over severities A_c per corruption, in file order.
    public var means: [(name: String, accuracy: Double)]
    /// mCA = mean_c A_c.
    public var mca: Double?
    /// rCA = mCA / A₀.
    public var rca: Double?
    /// mCE and relative mCE against the run's `baseline` (when one was given).
    public var mce: Double?, relativeMCE: Double?

    /// The figures of a block (nil when it is not an object with `corruptions`).
    init?(json: JSONValue?) {
        guard let block = json?["corruptions"]?.objectValue, let json else { return nil }
        table = json["table"]?.stringValue
        means = block.compactMap { name, entry in entry["mean"]?.doubleValue.map { (name, $0) } }
        mca = json["mca"]?.doubleValue
        rca = json["rca"]?.doubleValue
        mce = json["baseline"]?["mce"]?.doubleValue
        relativeMCE = json["baseline"]?["relative_mce"]?.doubleValue
    }
}

/// The robustness figures of one network.
public struct NetworkRobustness {
    /// Clean test accuracy A₀ (the attacked subset's).
    public var clean: Double?
    /// Robust accuracy per attack setting.
    public var attacks: [AttackColumn: Double]
    /// Corruption figures, when corruptions were evaluated.
    public var corruptions: CorruptionFigures?
}

/// A run's `robustness` block: the run's network and, when evaluated, its teacher.
public struct RunRobustness {
    /// The trained network's figures.
    public var student: NetworkRobustness
    /// The teacher's (`teacher_clean`, `teacher_accuracy`, `teacher_corruptions`); nil when not evaluated.
    public var teacher: NetworkRobustness?
    /// `threat_model` as written.
    public var threatModel: String?

    /// The figures of a `robustness` object (nil when absent or without clean accuracy, attacks or corruptions).
    public init?(json: JSONValue?) {
        guard let json, json.objectValue != nil else { return nil }
        var student = NetworkRobustness(clean: json["clean"]?.doubleValue, attacks: [:], corruptions: nil)
        var teacher = NetworkRobustness(clean: json["teacher_clean"]?.doubleValue, attacks: [:], corruptions: nil)
        for entry in json["attacks"]?.arrayValue ?? [] {
            guard let column = AttackColumn(json: entry) else { continue }
            student.attacks[column] = entry["accuracy"]?.doubleValue
            teacher.attacks[column] = entry["teacher_accuracy"]?.doubleValue
        }
        student.corruptions = CorruptionFigures(json: json["corruptions"])
        teacher.corruptions = CorruptionFigures(json: json["teacher_corruptions"])
        guard student.clean != nil || !student.attacks.isEmpty || student.corruptions != nil else { return nil }
        self.student = student
        let hasTeacher = teacher.clean != nil || !teacher.attacks.isEmpty || teacher.corruptions != nil
        self.teacher = hasTeacher ? teacher : nil
        threatModel = json["threat_model"]?.stringValue
    }
}

extension RunRecord {
    /// summary.json's `robustness` block (config `evaluation`), nil when the run wrote none.
    public var robustness: RunRobustness? { RunRobustness(json: summary["robustness"]) }

    /// The teacher checkpoints as summary.json `teachers` names them (empty when unknown).
    public var teacherPaths: [String] { summary["teachers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
}
