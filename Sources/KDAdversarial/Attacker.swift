// Attacker: FGSM (Goodfellow et al. 2015) and PGD (Madry et al. 2018) under the L∞ threat model, in [0, 1]
// pixel space with the model's normalisation inside; white-box, the model in evaluation mode, batched.

import KDNN
import KDTensor

/// What an attack maximises.
public enum AttackObjective {
    /// Cross-entropy with the labels `[B]` (FGSM, PGD, ARD, Madry training); unlabelled samples (negative
    /// labels) get no gradient and stay where they start.
    case crossEntropy([Int32])
    /// Σ_b KL(p_b ‖ softmax(f(x'_b))) from fixed target probabilities `[B, K]` (RSLAD's label-free attack on
    /// the teacher's soft labels).
    case divergence(from: Tensor)

    /// The scalar the attack ascends, from the attacked network's logits `[B, K]`.
    func loss(_ logits: Tensor) -> Tensor {
        switch self {
        case .crossEntropy(let labels): return KDTensor.crossEntropy(logits, labels: labels)
        case .divergence(let p): return klDivergence(targetLogProbs: p.clamp(min: 1e-30).log(), logProbs: logits.logSoftmax())
        }
    }
}

/// Crafts adversarial images against one network.
public struct Attacker {
    /// The attacked network; its weights are constants (their gradients are never touched).
    public let model: Model
    /// Its input normalisation.
    public let space: PixelSpace

    public init(model: Model, space: PixelSpace) {
        (self.model, self.space) = (model, space)
    }

    /// Adversarial images for `pixels` `[B, C, H, W]` in [0, 1]: every result lies within ε of its clean
    /// image in every pixel and within [0, 1]. `rng` draws the random start (one draw per pixel).
    public func perturb(
        _ pixels: Tensor, _ objective: AttackObjective, _ settings: AttackSettings, rng: inout SeededGenerator
    ) -> Tensor {
        let n = pixels.count, eps = settings.eps
        let x = pixels.data
        let adv = Tensor(uninitialized: pixels.shape)
        let a = adv.data
        for i in 0..<n {
            let noise: Float
            switch settings.start {
            case .clean: noise = 0
            case .uniform: noise = (2 * rng.uniform() - 1) * eps
            case .gaussian(let std): noise = rng.normal() * std
            }
            a[i] = Swift.min(1, Swift.max(0, x[i] + Swift.max(-eps, Swift.min(eps, noise))))
        }
        for _ in 0..<settings.steps {
            let gradient = gradient(adv, objective)
            let g = gradient.data, step = settings.stepSize
            for i in 0..<n {
                let s: Float = g[i] > 0 ? step : (g[i] < 0 ? -step : 0)
                let moved = Swift.min(x[i] + eps, Swift.max(x[i] - eps, a[i] + s))
                a[i] = Swift.min(1, Swift.max(0, moved))
            }
        }
        return adv
    }

    /// ∂objective/∂(normalised input) at `pixels`: the pixel gradient divided by σ_c, so of the same sign.
    private func gradient(_ pixels: Tensor, _ objective: AttackObjective) -> Tensor {
        model.inputGradient(space.normalized(pixels), .eval) { objective.loss($0.logits) }.gradient
    }
}
