// Fairness+Metrics: the per-class fairness figures (beyond.md 3.1, KDReport's ClassFairness) of evaluation
// metrics, and the `fairness` entries `kdistill eval` and summary.json add to their reports.

import KDJSON
import KDReport

extension ClassificationMetrics {
    /// Support, per-class accuracy and standard error, worst-class figures of this evaluation.
    public func fairness(classNames: [String]? = nil) -> ClassFairness {
        ClassFairness(confusion: confusion, classNames: classNames)
    }
}

/// Adds fairness figures to report objects.
enum FairnessEntries {
    /// `fairness` of `student` (with the gap to `teacher` when given) into `report`, and the teacher's
    /// `per_class_accuracy` and `fairness` into its block `report[teacherKey]` when that is an object.
    static func add(
        student: ClassificationMetrics, teacher: ClassificationMetrics?, classNames: [String]?, to report: inout JSONObject,
        teacherKey: String = "teacher"
    ) {
        let s = student.fairness(classNames: classNames)
        let t = teacher?.fairness(classNames: classNames)
        report["fairness"] = s.json(teacher: t)
        guard let teacher, let t, var block = report[teacherKey]?.objectValue else { return }
        block["per_class_accuracy"] = .array(teacher.perClassAccuracy.map(JSONValue.number))
        block["fairness"] = t.json()
        report[teacherKey] = .object(block)
    }
}
