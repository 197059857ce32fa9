// RobustnessRequest: which attacks (and corruptions) an evaluation runs, built from `kdistill eval`'s
// flags or a config's `evaluation` section by one rule: the dataset's customary threat model fills in
// whatever is not given (beyond.md §2.2).

import KDAdversarial
import KDData

/// What a robustness evaluation runs.
public struct RobustnessRequest: Equatable, Sendable {
    /// Attacks, in report order.
    public var attacks: [AttackSettings]
    /// Common corruptions (nil: none).
    public var corruptions: CorruptionChoice?
    /// Seed of the attacks' random starts and of the corruptions' noise.
    public var seed: UInt64

    public init(attacks: [AttackSettings] = [], corruptions: CorruptionChoice? = nil, seed: UInt64 = 0) {
        (self.attacks, self.corruptions, self.seed) = (attacks, corruptions, seed)
    }

    /// Nothing to run.
    public var isEmpty: Bool { attacks.isEmpty && corruptions == nil }

    /// Which corruptions at which severities, from which table (nil: the default for the input shape).
    public struct CorruptionChoice: Equatable, Sendable {
        public var corruptions: [Corruption]
        public var severities: [Int]
        public var table: CorruptionTable?

        /// Every corruption at every severity (what `--robustness` runs).
        public static let all = CorruptionChoice(
            corruptions: Corruption.allCases, severities: Array(Severities.range), table: nil)

        public init(corruptions: [Corruption], severities: [Int], table: CorruptionTable?) {
            (self.corruptions, self.severities, self.table) = (corruptions, severities, table)
        }

        /// From `--corruptions` (default all), `--severities` (default 1-5) and `--table` (default: by shape).
        public init(parsing corruptions: String?, severities: String?, table: String?) throws {
            self.corruptions = try Corruption.parseList(corruptions ?? "all", context: "--corruptions")
            self.severities = try Severities.parse(severities ?? "1-5", context: "--severities")
            self.table = try table.map {
                guard let t = CorruptionTable(rawValue: $0) else {
                    throw RunInputError("--table: expected mnist-c or cifar10-c, found '\($0)'")
                }
                return t
            }
        }
    }

    /// The threat-model family of `dataset`.
    public static func family(_ dataset: DatasetName) -> ThreatDefaults.Family {
        switch dataset {
        case .mnist: return .mnist
        case .fashionMNIST: return .fashionMNIST
        case .cifar10, .cifar100: return .cifar
        }
    }

    /// How a user asks for attacks; every nil is the dataset's default.
    public struct AttackChoice: Equatable, Sendable {
        /// `fgsm`, `pgd` (nil: both).
        public var kinds: [AttackKind]?
        /// Budgets in pixel units (nil: the dataset's reported sweep, Fashion-MNIST 0.05, 0.1, 0.2).
        public var eps: [Double]?
        /// PGD steps (nil: the dataset's, 20 for Fashion-MNIST and CIFAR, 40 for MNIST).
        public var steps: Int?
        /// PGD step size (nil: the dataset's α·k/ε kept, so 2.5ε/k for Fashion-MNIST at any ε and k).
        public var stepSize: Double?
        /// PGD restarts (nil: 1).
        public var restarts: Int?
        /// PGD's uniform random start (default on).
        public var randomStart: Bool

        public init(
            kinds: [AttackKind]? = nil, eps: [Double]? = nil, steps: Int? = nil, stepSize: Double? = nil,
            restarts: Int? = nil, randomStart: Bool = true
        ) {
            (self.kinds, self.eps, self.steps, self.stepSize, self.restarts) = (kinds, eps, steps, stepSize, restarts)
            self.randomStart = randomStart
        }

        /// The attacks this choice names on `dataset`: every kind at every ε.
        public func attacks(for dataset: DatasetName) -> [AttackSettings] {
            let family = RobustnessRequest.family(dataset), base = ThreatDefaults.pgd(family)
            let budgets = eps.map { $0.map(Float.init) } ?? ThreatDefaults.epsilons(family)
            return budgets.flatMap { e in
                (kinds ?? AttackKind.allCases).map { kind -> AttackSettings in
                    let k = steps ?? base.steps
                    return kind == .fgsm
                        ? .fgsm(eps: e)
                        : AttackSettings(
                            kind: .pgd, eps: e, steps: k,
                            stepSize: stepSize.map(Float.init) ?? base.stepSize * Float(base.steps) / base.eps * e / Float(k),
                            start: randomStart ? .uniform : .clean, restarts: restarts ?? 1)
                }
            }
        }
    }

    /// `kinds` from a comma list (`fgsm,pgd`), or an error naming `key`.
    public static func kinds(_ text: String, key: String) throws -> [AttackKind] {
        try text.split(separator: ",").map { word in
            guard let kind = AttackKind(rawValue: String(word).trimmingCharacters(in: .whitespaces)) else {
                throw RunInputError(
                    "\(key): expected attacks from \(AttackKind.allCases.map(\.rawValue).joined(separator: ", ")), found '\(word)'"
                )
            }
            return kind
        }
    }
}
