// RobustAttack: the training-time attack of the robust distillation methods (ard, rslad): its parameters
// (ε, steps and step size, "auto" meaning the dataset's customary budget) and the KL reduction they share.

import KDAdversarial
import KDNN
import KDTensor

/// How the robust methods' KL terms are averaged.
public enum RobustReduction: String, CaseIterable, Sendable {
    /// Mean over B·K (PyTorch `nn.KLDivLoss()`'s default, as the ARD and RSLAD codes use): batchmean / K, so
    /// their published weights carry over.
    case elementwise
    /// Sum over classes, mean over the batch (the rest of kdistill); K times larger.
    case batchmean
}

/// A PGD attack on the student, crafted inside each training step (model in evaluation mode).
struct RobustAttack {
    let attacker: Attacker
    let settings: AttackSettings
    let seed: UInt64
    let reduction: RobustReduction

    /// The attack parameters every robust method declares.
    static var params: [ParamSpec] {
        [
            ParamSpec(
                "eps", .numberOr("auto", .positive), default: "auto",
                doc: "L∞ budget in [0, 1] pixels (auto: the dataset's, MNIST 0.3, Fashion-MNIST 0.1, CIFAR 8/255)"),
            ParamSpec("steps", .integer(.positive), default: 10, doc: "PGD steps of the training attack"),
            ParamSpec("step_size", .numberOr("auto", .positive), default: "auto", doc: "PGD step size (auto: eps/4)"),
            ParamSpec(
                "reduction", .string(choices: RobustReduction.allCases.map(\.rawValue)), default: "elementwise",
                doc: "KL averaged over B·K as the reference code (elementwise) or batchmean (K times larger)"),
        ]
    }

    init(_ p: ParamValues, _ setup: MethodSetup, method: String, start: AttackStart) throws {
        guard let space = setup.inputSpace, let base = setup.trainingAttack else {
            throw MethodError("method.name: \(method) attacks the student in pixel space, which this kind of run does not offer")
        }
        let eps = p["eps"] == .string("auto") ? base.eps : Float(try p.double("eps"))
        let stepSize = p["step_size"] == .string("auto") ? eps / 4 : Float(try p.double("step_size"))
        settings = AttackSettings(kind: .pgd, eps: eps, steps: try p.int("steps"), stepSize: stepSize, start: start)
        attacker = Attacker(model: setup.student, space: space)
        reduction = RobustReduction(rawValue: try p.string("reduction")) ?? .elementwise
        seed = setup.seed ^ 0xA77A_C4ED
    }

    /// Adversarial images for the loader's normalised `images`, normalised again for the student.
    func perturb(_ images: Tensor, _ objective: AttackObjective, _ step: InputStep) -> Tensor {
        var rng = SeededGenerator(seed: seed, streams: [UInt64(step.epoch), UInt64(step.batchIndex)])
        let space = attacker.space
        return space.normalized(attacker.perturb(space.pixels(images), objective, settings, rng: &rng))
    }

    /// A batchmean KL term under this reduction (divided by K for elementwise).
    func reduce(_ batchmean: Tensor, classes k: Int) -> Tensor {
        reduction == .elementwise ? batchmean * (1 / Float(k)) : batchmean
    }
}
