// Learner: a network in training: the model, any extra trainable parts a method adds, its optimizer
// and learning-rate schedule (rebuilt at each stage), and the forward context (train mode, dropout RNG).

import KDMethods
import KDNN
import KDTensor

/// One trained network and its optimisation state.
public final class Learner {
    /// Log and subdirectory name (`student`, `student2`).
    public let name: String
    public let model: Model
    /// Trainable parts owned by the method (regressors); prefixed `extra.` in resume files.
    public let extras: [Layer]
    /// The method's untrained state (crd's memory banks); prefixed `method.` in resume files.
    public let methodState: [NamedTensor]
    /// The model's fake quantization (`quantize: int8`); its observers are prefixed `quant.` in resume files.
    public let quantization: FakeQuantization?
    public let context: ForwardContext
    public private(set) var optimizer: Optimizer
    public private(set) var schedule: LRSchedule
    let optimizerConfig: OptimizerConfig
    let scheduleConfig: ScheduleConfig

    public init(
        name: String, model: Model, extras: [Layer], methodState: [NamedTensor] = [], optimizer: OptimizerConfig,
        schedule: ScheduleConfig, seed: UInt64, quantization: FakeQuantization? = nil
    ) {
        self.name = name
        self.model = model
        self.extras = extras
        self.methodState = methodState
        self.quantization = quantization
        context = ForwardContext(training: true, seed: seed)
        optimizerConfig = optimizer
        scheduleConfig = schedule
        self.optimizer = Learner.makeOptimizer(optimizer, model.state + Learner.extraState(extras))
        self.schedule = LRSchedule(baseLR: optimizer.lr, kind: .constant, stepsPerEpoch: 1, epochs: 1)
    }

    /// Extra parts' tensors named `extra.<i>.<name>`.
    static func extraState(_ extras: [Layer]) -> [NamedTensor] {
        extras.enumerated().flatMap { i, layer in layer.namedTensors(prefix: "extra.\(i).") }
    }

    /// A fresh optimizer and schedule for `stage`, `stepsPerEpoch` steps an epoch: the configured ones, or
    /// for an initialisation stage SGD (momentum 0.9, the main weight decay) at the stage's learning rate
    /// (the main one unless it sets its own) held constant; parameters under the stage's `frozen` prefixes
    /// are left out, and so is the model when the stage does not run the student.
    public func beginStage(_ stage: Stage, stepsPerEpoch: Int) {
        let candidates = (stage.studentRuns ? model.state : []) + Learner.extraState(extras)
        let trained = candidates.filter { t in !stage.frozen.contains { t.name.hasPrefix($0) } }
        if stage.initialization {
            var sgd = optimizerConfig
            (sgd.name, sgd.momentum, sgd.nesterov) = (.sgd, 0.9, false)
            sgd.lr = stage.learningRate ?? optimizerConfig.lr
            optimizer = Learner.makeOptimizer(sgd, trained)
            schedule = LRSchedule(baseLR: sgd.lr, kind: .constant, stepsPerEpoch: stepsPerEpoch, epochs: stage.epochs)
            return
        }
        optimizer = Learner.makeOptimizer(optimizerConfig, trained)
        schedule = LRSchedule(
            baseLR: optimizerConfig.lr, kind: Learner.kind(scheduleConfig), stepsPerEpoch: stepsPerEpoch,
            epochs: stage.epochs, warmupEpochs: scheduleConfig.warmupEpochs)
    }

    /// The configured optimizer over `parameters`.
    static func makeOptimizer(_ c: OptimizerConfig, _ parameters: [NamedTensor]) -> Optimizer {
        switch c.name {
        case .sgd:
            return SGD(parameters, lr: Float(c.lr), momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay)
        case .adam:
            return Adam(parameters, lr: Float(c.lr), beta1: c.betas[0], beta2: c.betas[1], eps: c.eps, weightDecay: c.weightDecay)
        case .adamw:
            return AdamW(
                parameters, lr: Float(c.lr), beta1: c.betas[0], beta2: c.betas[1], eps: c.eps, weightDecay: c.weightDecay)
        }
    }

    static func kind(_ s: ScheduleConfig) -> LRSchedule.Kind {
        switch s.name {
        case .constant: return .constant
        case .step: return .step(everyEpochs: s.stepSize, gamma: s.gamma)
        case .multistep: return .multiStep(milestones: s.milestones, gamma: s.gamma)
        case .cosine: return .cosine(minLR: s.minLR)
        }
    }

    /// One optimisation step on `loss` at global step `step` of the current stage.
    public func step(_ loss: Tensor, at step: Int) {
        optimizer.learningRate = schedule.learningRate(atStep: step)
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
    }

    /// Tensors a resume needs besides the model: optimizer state, extra parts and the method's state.
    public func resumeTensors() -> [(name: String, tensor: Tensor)] {
        optimizer.stateTensors().map { ("optimizer." + $0.name, $0.tensor) }
            + Learner.extraState(extras).map { ($0.name, $0.tensor.copy()) }
            + methodState.map { ("method." + $0.name, $0.tensor.copy()) }
            + (quantization?.observerState ?? []).map { ($0.name, $0.tensor.copy()) }
    }

    /// Restores what `resumeTensors` saved.
    public func restore(from entries: [(name: String, tensor: Tensor)], source: String) throws {
        let opt = entries.filter { $0.name.hasPrefix("optimizer.") }.map { (String($0.name.dropFirst(10)), $0.tensor) }
        try optimizer.loadState(opt.map { (name: $0.0, tensor: $0.1) }, source: source)
        let saved = entries.filter { ["extra.", "method.", "quant."].contains(where: $0.name.hasPrefix) }
        let expected =
            Learner.extraState(extras) + methodState.map { NamedTensor("method." + $0.name, $0.tensor, $0.role) }
            + (quantization?.observerState ?? [])
        for named in expected {
            guard let saved = saved.first(where: { $0.name == named.name }), saved.tensor.shape == named.tensor.shape
            else {
                throw RunError(
                    "\(source): \(named.name): missing or of another shape; this resume file belongs to another method"
                        + (named.name.hasPrefix("quant.") ? " (or was written without quantize: int8)" : ""))
            }
            named.tensor.assign(saved.tensor)
        }
    }
}
