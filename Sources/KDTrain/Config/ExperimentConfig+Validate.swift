// Per-command requirements: which keys train-teacher and distill need beyond the schema
// (`model` for one, `student`, `method` and usually `teacher.checkpoint` for the other), and the
// rules between keys of different sections (a transfer set has no labels for a ce term; kd's
// class_adaptive needs a validation split).

import KDMethods

/// The commands that run an experiment config.
public enum ConfigCommand: String, Sendable {
    /// `kdistill train-teacher`.
    case trainTeacher = "train-teacher"
    /// `kdistill distill`.
    case distill
}

extension ExperimentConfig {
    /// The command this config is written for: distill when it names a student, method or teacher,
    /// train-teacher when it names only a model, nil when it names none (for `kdistill validate`).
    public var impliedCommand: ConfigCommand? {
        if student != nil || method != nil || teacher != nil { return .distill }
        return model != nil ? .trainTeacher : nil
    }

    /// Throws the first key `command` needs but the config lacks, e.g.
    /// `configs/x.json: student: required for distill`. A teacher checkpoint is required unless
    /// every part of the method is in `context.methodsWithoutTeacher`.
    public func validate(for command: ConfigCommand, context: ConfigContext) throws(ConfigError) {
        func missing(_ path: String, _ why: String = "") -> ConfigError {
            ConfigError(source: source, path: path, message: "required for \(command.rawValue)\(why)")
        }
        switch command {
        case .trainTeacher:
            if model == nil { throw missing("model") }
        case .distill:
            if student == nil { throw missing("student") }
            guard let method else { throw missing("method") }
            let teacherless = method.parts.allSatisfy { context.methodsWithoutTeacher.contains($0) }
            if !teacherless {
                let why = " with method '\(method.name)'"
                guard let teacher else { throw missing("teacher", why) }
                if teacher.checkpoint == nil { throw missing("teacher.checkpoint", why) }
            }
            try validateClassAdaptive(method)
            try validateViews(method)
            // Every label term of every method is weighted by `ce_weight`; a transfer set alone has no labels.
            if quantize != .none {
                throw ConfigError(
                    source: source, path: "quantize",
                    message: "applies to train-teacher; to distill into an int8 student set method.quantize")
            }
            if adversarial != nil {
                throw ConfigError(
                    source: source, path: "adversarial",
                    message: "applies to train-teacher (a robust teacher or baseline); for robust distillation use "
                        + "method ard or rslad")
            }
            if let transfer = data.transfer, !transfer.includeLabeled, let ce = method.params["ce_weight"]?.doubleValue, ce > 0 {
                throw ConfigError(
                    source: source, path: "method.ce_weight",
                    message: "expected 0 with data.transfer (its images have no labels to learn from; or set "
                        + "data.transfer.include_labeled), found \(ParamValue.number(ce).text)")
            }
        }
    }

    /// What distill cannot do yet when the student reads its own view: Noisy Student pseudo-labels the
    /// student's images with a teacher of data's, and `evaluation.teacher` attacks both networks with one image.
    func validateViews(_ method: MethodConfig) throws(ConfigError) {
        guard let key = data.viewKey else { return }
        if method.parts.contains("noisy-student") {
            throw ConfigError(
                source: source, path: "method.name",
                message: "expected a method other than noisy-student with data.\(key) (its teacher labels the student's images)")
        }
        if evaluation?.teacher == true {
            throw ConfigError(
                source: source, path: "evaluation.teacher",
                message:
                    "expected false with data.\(key) (the teacher reads other images than the ones the student is attacked on)")
        }
    }

    /// kd's `class_adaptive` (beyond.md 3.3) measures the teacher on the validation split; `alpha_per_class`
    /// replaces it with one number per class.
    func validateClassAdaptive(_ method: MethodConfig) throws(ConfigError) {
        let params = method.params
        if params.contains("class_adaptive") {
            if params.contains("alpha_per_class") {
                throw ConfigError(
                    source: source, path: "method.alpha_per_class",
                    message: "expected class_adaptive or alpha_per_class, found both")
            }
            if data.validation == 0 {
                throw ConfigError(
                    source: source, path: "method.class_adaptive",
                    message: "expected data.validation > 0 (r_c comes from the teacher's per-class validation accuracy), found 0")
            }
        }
        if case .list(let given)? = params["alpha_per_class"] {
            let k = data.numClasses
            if given.count != k {
                throw ConfigError(
                    source: source, path: "method.alpha_per_class",
                    message: "expected \(k) numbers in [0, 1] (one per class of \(data.dataset.rawValue)), found \(given.count)")
            }
        }
    }
}
