// StageOptimizerTests: an initialisation stage (ab's) trains with SGD at the main learning rate held
// constant and leaves its frozen parameters (fc) untouched; a normal stage follows the configured schedule;
// a stage that does not run the student (ft's paraphraser stage) trains only the extras, at its own rate.

import KDMethods
import KDNN
import KDTensor
import KDTrain
import XCTest

final class StageOptimizerTests: XCTestCase {
    func learner(extras: [Layer] = []) throws -> Learner {
        let model = try Zoo.build(ModelSpec(name: "resnet8", inputShape: [1, 8, 8], numClasses: 3), seed: 1)
        return Learner(
            name: "student", model: model, extras: extras,
            optimizer: OptimizerConfig(
                name: .adam, lr: 0.05, momentum: 0, nesterov: false, weightDecay: 5e-4, betas: [0.9, 0.999], eps: 1e-8),
            schedule: ScheduleConfig(name: .cosine, warmupEpochs: 0, stepSize: 30, milestones: [], gamma: 0.1, minLR: 0),
            seed: 1)
    }

    func testInitializationStageFreezesFCAndHoldsTheRate() throws {
        let l = try learner()
        l.beginStage(Stage("ab", epochs: 2, initialization: true, frozen: ["fc."]), stepsPerEpoch: 4)
        XCTAssertEqual(l.schedule.learningRate(atStep: 0), 0.05)
        XCTAssertEqual(l.schedule.learningRate(atStep: 7), 0.05, "constant through the stage")
        let before = Dictionary(uniqueKeysWithValues: l.model.state.map { ($0.name, $0.tensor.scalars) })
        let x = Tensor(shape: [2, 1, 8, 8], scalars: (0..<128).map { Float($0 % 7) / 7 })
        let out = l.model.forward(x, l.context)
        l.step(crossEntropy(out.logits, labels: [0, 2]), at: 0)
        let after = Dictionary(uniqueKeysWithValues: l.model.state.map { ($0.name, $0.tensor.scalars) })
        XCTAssertEqual(after["fc.weight"], before["fc.weight"], "fc is frozen in the stage")
        XCTAssertNotEqual(after["conv1.weight"], before["conv1.weight"], "the rest trains")

        l.beginStage(Stage("train", epochs: 2), stepsPerEpoch: 4)
        XCTAssertLessThan(l.schedule.learningRate(atStep: 7), 0.05, "the configured cosine schedule again")
        l.step(crossEntropy(l.model.forward(x, l.context).logits, labels: [0, 2]), at: 0)
        XCTAssertNotEqual(l.model.state.first { $0.name == "fc.weight" }?.tensor.scalars, after["fc.weight"], "fc trains again")
    }

    func testStageWithoutTheStudentTrainsOnlyTheExtrasAtItsRate() throws {
        var rng = SeededGenerator(seed: 3)
        let extra = Linear(3, 3, rng: &rng)
        let l = try learner(extras: [extra])
        l.beginStage(
            Stage("paraphraser", epochs: 2, initialization: true, studentRuns: false, learningRate: 0.01), stepsPerEpoch: 4)
        XCTAssertEqual(l.schedule.learningRate(atStep: 5), 0.01, "the stage's own constant rate")
        let before = l.model.state.map(\.tensor.scalars), extraBefore = extra.state.map(\.tensor.scalars)
        let x = Tensor(shape: [2, 1, 8, 8], scalars: (0..<128).map { Float($0 % 5) / 5 })
        // Even a loss reaching the model leaves it alone: it is not in the stage's optimizer.
        l.step(crossEntropy(extra(l.model.forward(x, .eval).logits), labels: [0, 1]), at: 0)
        XCTAssertEqual(l.model.state.map(\.tensor.scalars), before, "the model is not trained")
        XCTAssertNotEqual(extra.state.map(\.tensor.scalars), extraBefore, "the extras are")
    }
}
