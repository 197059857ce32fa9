// AttackSettings: one L∞ attack as a user names it: FGSM (Goodfellow et al. 2015) or PGD (Madry et al.
// 2018), its budget ε, steps, step size, start and restarts, all in [0, 1] pixel units.

/// The attack algorithm.
public enum AttackKind: String, CaseIterable, Sendable, Codable {
    /// One signed-gradient step of size ε.
    case fgsm
    /// `steps` signed-gradient steps of `stepSize`, each projected onto the ε-ball and [0, 1].
    case pgd
}

/// Where PGD starts inside the ε-ball.
public enum AttackStart: Equatable, Sendable {
    /// At the clean image.
    case clean
    /// x + U(−ε, ε) per pixel (Madry et al.'s random start), clipped to [0, 1].
    case uniform
    /// x + N(0, σ²) per pixel (RSLAD's `0.001·N(0, 1)`), clipped to [0, 1].
    case gaussian(Float)
}

/// A fully specified L∞ attack.
public struct AttackSettings: Equatable, Sendable {
    public var kind: AttackKind
    /// L∞ budget in pixel units.
    public var eps: Float
    /// PGD iterations (FGSM: 1).
    public var steps: Int
    /// PGD step size α in pixel units (FGSM steps by ε).
    public var stepSize: Float
    public var start: AttackStart
    /// Independent PGD starts; a sample counts as robust only if every one fails.
    public var restarts: Int

    public init(
        kind: AttackKind, eps: Float, steps: Int = 1, stepSize: Float? = nil, start: AttackStart = .uniform, restarts: Int = 1
    ) {
        self.kind = kind
        self.eps = eps
        self.steps = kind == .fgsm ? 1 : steps
        self.stepSize = kind == .fgsm ? eps : (stepSize ?? eps / 4)
        self.start = kind == .fgsm ? .clean : start
        self.restarts = kind == .fgsm ? 1 : restarts
    }

    /// FGSM at `eps`.
    public static func fgsm(eps: Float) -> AttackSettings { AttackSettings(kind: .fgsm, eps: eps) }

    /// A label for tables and JSON keys: `fgsm`, `pgd20`.
    public var name: String { kind == .fgsm ? "fgsm" : "pgd\(steps)" }
}

/// The customary threat models of the datasets kdistill reads (docs: beyond.md §2.2).
public enum ThreatDefaults {
    /// Image families with their own customary budgets.
    public enum Family: Sendable {
        case mnist, fashionMNIST, cifar
    }

    /// The PGD evaluation attack: MNIST ε 0.3, 40 steps, α 0.01 (Madry's mnist_challenge); Fashion-MNIST ε 0.1,
    /// 20 steps, α 2.5ε/k (Wong & Kolter's ε); CIFAR ε 8/255, 20 steps, α 0.003 (RSLAD's evaluation).
    public static func pgd(_ family: Family) -> AttackSettings {
        switch family {
        case .mnist: return AttackSettings(kind: .pgd, eps: 0.3, steps: 40, stepSize: 0.01)
        case .fashionMNIST: return AttackSettings(kind: .pgd, eps: 0.1, steps: 20, stepSize: 2.5 * 0.1 / 20)
        case .cifar: return AttackSettings(kind: .pgd, eps: 8.0 / 255, steps: 20, stepSize: 0.003)
        }
    }

    /// The ε values the default suite reports (Fashion-MNIST: 0.05, 0.1, 0.2; the others around their ε).
    public static func epsilons(_ family: Family) -> [Float] {
        switch family {
        case .mnist: return [0.1, 0.2, 0.3]
        case .fashionMNIST: return [0.05, 0.1, 0.2]
        case .cifar: return [2.0 / 255, 4.0 / 255, 8.0 / 255]
        }
    }

    /// The default suite: FGSM and PGD at each reported ε; PGD's step size scales with ε (α/ε of the default;
    /// `RobustnessRequest.AttackChoice` applies the same rule with other step counts).
    public static func suite(_ family: Family) -> [AttackSettings] {
        let base = pgd(family)
        return epsilons(family).flatMap { eps in
            [.fgsm(eps: eps), AttackSettings(kind: .pgd, eps: eps, steps: base.steps, stepSize: base.stepSize * eps / base.eps)]
        }
    }

    /// The training-time budget of robust distillation (ard, rslad, adversarial training): the family's ε,
    /// 10 steps of ε/4 (the ARD and RSLAD codes' 8/255 and 2/255).
    public static func training(_ family: Family) -> AttackSettings {
        let eps = pgd(family).eps
        return AttackSettings(kind: .pgd, eps: eps, steps: 10, stepSize: eps / 4)
    }
}
