// Registry+Multi: builders for the multi-model method shapes, cohorts (DML) and pipelines (BAN, TAKD),
// with one-line errors when the name is unknown, of another shape, or part of a `+` combination.

import KDNN

extension MethodShape {
    /// `single-student`, `cohort` or `pipeline`, for messages and dispatch.
    public var label: String {
        switch self {
        case .single: return "single-student"
        case .cohort: return "cohort"
        case .pipeline: return "pipeline"
        case .variant(let key, let shapes):
            return shapes.keys.sorted().map { "\(shapes[$0]?.label ?? "") (\(key) \($0))" }.joined(separator: " or ")
        }
    }
}

extension MethodRegistry {
    /// The shape label of method `name` (`single-student` for combinations such as `at+kd`), or nil
    /// when a part is unknown.
    public static func shapeLabel(of name: String) -> String? {
        let parts = name.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        let entries = parts.compactMap(entry)
        guard entries.count == parts.count, let first = entries.first else { return nil }
        return parts.count > 1 ? "single-student" : first.shape.label
    }

    /// The entry of a multi-model method `name`, refusing unknown names and `+` combinations.
    static func multiModelEntry(_ name: String, wanted: String) throws -> MethodEntry {
        let parts = try resolve(name).parts
        guard parts.count == 1, let found = entry(parts[0]) else {
            throw MethodError("method.name: '\(name)' combines single-student methods; expected a \(wanted) method")
        }
        return found
    }

    /// Builds the cohort method `name` (`dml`) from its parameters; `student` is the config's student
    /// (used when the method's member list is absent). With `hasTeacher`, also checks that the
    /// parameters' teacher needs match the config (`dml` with `kd_weight > 0` needs a teacher);
    /// when nil the runner must call `validateTeacher(configured:)` itself.
    public static func buildCohort(
        name: String, params: ParamValues, student: ModelConfig?,
        hasTeacher: Bool? = nil
    ) throws -> CohortMethod {
        let found = try multiModelEntry(name, wanted: "cohort")
        guard case .cohort(let make) = found.shape.resolved(params) else {
            throw MethodError("method.name: \(name) is a \(found.shape.label) method, not a cohort method")
        }
        let cohort = try make(params, student)
        if let hasTeacher { try cohort.validateTeacher(configured: hasTeacher) }
        return cohort
    }

    /// Builds the pipeline method `name` (`ban`, `takd`) from its parameters.
    public static func buildPipeline(name: String, params: ParamValues) throws -> PipelineMethod {
        let found = try multiModelEntry(name, wanted: "pipeline")
        guard case .pipeline(let make) = found.shape.resolved(params) else {
            throw MethodError("method.name: \(name) is a \(found.shape.label) method, not a pipeline method")
        }
        return try make(params)
    }
}
