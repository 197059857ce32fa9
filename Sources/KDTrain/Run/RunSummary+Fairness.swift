// RunSummary+Fairness: the per-class entries of summary.json (beyond.md 3.1): `fairness` of the evaluated
// network on the test split (with `teacher_gap` when the run has a teacher), `teacher_fairness`, and
// `val_fairness` on the validation split when one is held out.

import KDData
import KDJSON
import KDNN
import KDReport

extension RunSummary {
    /// Adds the fairness entries of `final` (the evaluated network's test metrics) and `teacher` (the first
    /// teacher's, when any) to `summary`; evaluates `model` on the validation split when there is one.
    static func addFairness(
        final: ClassificationMetrics, teacher: ClassificationMetrics?, model: Model, data: ExperimentData,
        to summary: inout JSONObject
    ) {
        let names = classNames(data)
        let t = teacher?.fairness(classNames: names)
        summary["fairness"] = final.fairness(classNames: names).json(teacher: t)
        if let t { summary["teacher_fairness"] = t.json() }
        if let validation = data.validation {
            summary["val_fairness"] = Evaluator.metrics(model, validation).fairness(classNames: names).json()
        }
    }

    /// The dataset's class names when they fit the run's class count (CIFAR-100 coarse labels have none here).
    static func classNames(_ data: ExperimentData) -> [String]? {
        let names = data.dataset.defaultClassNames
        return names.count == data.numClasses ? names : nil
    }
}
