// AdversarialTraining: Madry et al. 2018, "Towards Deep Learning Models Resistant to Adversarial Attacks":
// the labels-only objective on attacks crafted against the model being trained (evaluation mode, as
// RSLAD's code does; ARD's attacks in train mode), then the update in train mode on them.

import KDAdversarial
import KDMethods
import KDNN
import KDTensor

/// Cross-entropy with the labels on PGD (or FGSM) images of the current model.
public final class AdversarialTraining: DistillationMethod {
    let attacker: Attacker
    let settings: AttackSettings
    let seed: UInt64

    public init(model: Model, space: PixelSpace, settings: AttackSettings, seed: UInt64) {
        attacker = Attacker(model: model, space: space)
        (self.settings, self.seed) = (settings, seed ^ 0xAD7E_25A1)
    }

    public func teacherUse(in stage: Stage) -> TeacherUse { .none }

    /// The attack on the batch (its own stream per epoch and batch, so a resume repeats it).
    public func studentInput(_ images: Tensor, _ step: InputStep) -> Tensor {
        var rng = SeededGenerator(seed: seed, streams: [UInt64(step.epoch), UInt64(step.batchIndex)])
        let space = attacker.space
        return space.normalized(attacker.perturb(space.pixels(images), .crossEntropy(step.labels), settings, rng: &rng))
    }

    public func losses(_ step: StepContext) -> [LossTerm] { [step.crossEntropyTerm(weight: 1)] }
}

extension ExperimentData {
    /// The dataset's customary training-time attack (what `eps: "auto"` means).
    var trainingAttack: AttackSettings { ThreatDefaults.training(RobustnessRequest.family(dataset)) }
}
