// AttackEvaluation: robust accuracy of a network under FGSM/PGD on a labelled set, white-box or crafted
// on another network (a transfer attack); a sample counts only if its clean prediction and the prediction
// after every restart are correct, so robust ≤ clean (beyond.md §2.2).

import Foundation
import KDAdversarial
import KDData
import KDNN
import KDTensor

/// Robust accuracy under one attack.
public struct AttackOutcome: Equatable, Sendable {
    public let settings: AttackSettings
    /// Share of images still classified correctly (clean and under every restart).
    public let accuracy: Double
}

/// Attacks over a whole evaluation loader.
public enum AttackEvaluation {
    /// Clean accuracy and the robust accuracy of `target` under each of `attacks`, crafted against `source`
    /// (nil: `target` itself), on the images of `loader` (in any normalisation: attacks run in [0, 1] pixel
    /// space, and each network reads its own, `space`). Each (attack, batch, restart) draws its random start from its own stream of `seed`, so any
    /// subset of the work repeats exactly.
    public static func run(
        target: Model, space: PixelSpace, source: (model: Model, space: PixelSpace)? = nil, loader: BatchLoader,
        attacks: [AttackSettings], seed: UInt64
    ) -> (clean: Double, outcomes: [AttackOutcome]) {
        let attacker = Attacker(model: source?.model ?? target, space: source?.space ?? space)
        var robust = [Int](repeating: 0, count: attacks.count)
        var clean = 0
        for b in 0..<loader.numBatches {
            let batch = loader.batch(epoch: 0, index: b)
            let pixels = PixelSpace(loader.normalization).pixels(batch.images)
            let correct = predictionsCorrect(target, space.normalized(pixels), batch.labels)
            clean += correct.filter { $0 }.count
            for (a, settings) in attacks.enumerated() {
                var survives = correct
                for r in 0..<settings.restarts {
                    var rng = SeededGenerator(seed: seed, streams: [UInt64(a), UInt64(b), UInt64(r)])
                    let adversarial = attacker.perturb(pixels, .crossEntropy(batch.labels), settings, rng: &rng)
                    let hit = predictionsCorrect(target, space.normalized(adversarial), batch.labels)
                    for i in survives.indices { survives[i] = survives[i] && hit[i] }
                }
                robust[a] += survives.filter { $0 }.count
            }
        }
        let n = Double(max(loader.count, 1))
        return (Double(clean) / n, zip(attacks, robust).map { AttackOutcome(settings: $0, accuracy: Double($1) / n) })
    }

    /// Whether each image's top-1 prediction (evaluation mode) is its label.
    static func predictionsCorrect(_ model: Model, _ images: Tensor, _ labels: [Int32]) -> [Bool] {
        let z = noGrad { model.forward(images, .eval).logits }
        let k = z.shape[1]
        return labels.indices.map { i in Vector.argmax(z.data + i * k, k).1 == Int(labels[i]) }
    }
}

extension PixelSpace {
    /// The same per-channel normalisation (a checkpoint's, a loader's).
    init(_ n: Normalization) { self.init(mean: n.mean, std: n.std) }
}
