// ClassAdaptiveSetup: what the runner does for kd's `class_adaptive` (beyond.md 3.3) before training:
// measure the teacher's per-class accuracy on the validation split once, then log and record the r_c.

import Foundation
import KDData
import KDMethods
import KDNN

enum ClassAdaptiveSetup {
    /// Puts the teacher's validation accuracy per class into `setup` when `params` ask for it, and returns
    /// summary.json's `class_adaptive` block and the lines to log (both empty for plain kd).
    static func prepare(
        _ setup: inout MethodSetup, params: ParamValues, data: ExperimentData, config: ExperimentConfig, teachers: Teachers
    ) throws -> (summary: JSONObject, log: [String]) {
        if ClassAdaptive.needsTeacherAccuracy(params) {
            guard let validation = data.validation else {
                throw ConfigError(
                    source: config.source, path: "method.class_adaptive",
                    message: "expected data.validation > 0 (r_c comes from the teacher's validation accuracy), found 0")
            }
            guard let teacher = setup.teachers.first else {
                throw MethodError("method.class_adaptive: needs a teacher (set teacher.checkpoint)")
            }
            // The validation images as the teacher reads them (its own view of the same samples).
            let seen = teachers.models.first === teacher ? teachers.loader(0, for: .validation, run: validation) : validation
            setup.teacherValidationAccuracy = Evaluator.metrics(teacher, seen).perClassAccuracy
        }
        guard let adaptive = try ClassAdaptive(params, setup) else { return ([:], []) }
        let (ce, kd) = (try params.double("ce_weight"), try params.double("kd_weight"))
        let weights = adaptive.classWeights(ce: ce, kd: kd)
        func list(_ xs: [Double]) -> String { xs.map { String(format: "%.3f", $0) }.joined(separator: " ") }
        let r = adaptive.reliability
        var block: JSONObject = [:], log: [String] = []
        if let accuracy = setup.teacherValidationAccuracy {
            let rule = try params.object("class_adaptive")
            block["rule"] = .string(try rule.string("rule"))
            block["gamma"] = .number(try rule.double("gamma"))
            block["teacher_val_class_acc"] = .array(accuracy.map(JSONValue.number))
            log.append("class_adaptive: teacher validation accuracy per class \(list(accuracy))")
        } else {
            block["rule"] = "alpha_per_class"
        }
        log.append("class_adaptive: r_c \(list(r)); kd weight per class \(list(weights.kd)), ce \(list(weights.ce))")
        block["reliability"] = .array(r.map(JSONValue.number))
        block["kd_weight_per_class"] = .array(weights.kd.map(JSONValue.number))
        block["ce_weight_per_class"] = .array(weights.ce.map(JSONValue.number))
        return (["class_adaptive": .object(block)], log)
    }
}
