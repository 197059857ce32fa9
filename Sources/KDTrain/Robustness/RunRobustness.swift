// RunRobustness: a config's `evaluation` attacks run once training ends, on the run's best checkpoint
// (its final weights when no best was kept), written to robustness.json and summary.json's `robustness`.

import Foundation
import KDAdversarial
import KDNN

extension TrainingRun {
    /// The robustness block the config asks for (nil: none), after writing it to robustness.json.
    func robustnessBlock() throws -> JSONValue? {
        guard let evaluation = config.evaluation, evaluation.attacks != nil || evaluation.corruptions != nil else { return nil }
        let model = recorder.evaluated
        var attacked = model
        if FileManager.default.fileExists(atPath: recorder.dir.bestPath) {
            attacked = try Zoo.build(model.spec, seed: 0)
            try attacked.loadCheckpoint(path: recorder.dir.bestPath)
        }
        ProgressDisplay.log(
            "robustness: attacking \(FileManager.default.fileExists(atPath: recorder.dir.bestPath) ? "best" : "final") weights")
        let request = RobustnessRequest(
            attacks: evaluation.attacks?.attacks(for: data.dataset) ?? [], corruptions: evaluation.corruptions,
            seed: UInt64(evaluation.seed))
        let teacher = evaluation.teacher ? teachers.models.first : nil
        let block = try RobustnessEvaluation.run(
            request, student: RobustnessSubject(model: attacked, normalization: data.normalization),
            teacher: teacher.map { RobustnessSubject(model: $0, normalization: data.normalization) }, loader: data.test,
            images: data.testImages)
        try recorder.dir.write(block.formatted() + "\n", to: recorder.dir.path + "/robustness.json")
        return block
    }
}
