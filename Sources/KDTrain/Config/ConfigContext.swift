// ConfigContext: what the config decoder needs to know about other modules, injected so KDTrain
// hard-codes none of it: which model names exist, and the method registry (name → its params).

import KDMethods
import KDNN

/// Knowledge the decoder checks configs against.
public struct ConfigContext: Sendable {
    /// Method registry: name → declared parameters. `a+b` combines registered methods.
    public var methods: [String: [ParamSpec]]
    /// Methods that run without `teacher` (e.g. `dml`, `ban`); a combination needs a teacher
    /// unless every part is listed here.
    public var methodsWithoutTeacher: Set<String>
    /// Whether a model name exists in the zoo.
    public var isKnownModel: @Sendable (String) -> Bool
    /// Model names offered as suggestions ("did you mean") and editor completions.
    public var modelNames: [String]
    /// Regular expression for model names in the JSON Schema, if any.
    public var modelPattern: String?

    /// A context; by default no methods and the zoo's name rule (Zoo.isValidName, Zoo.namePattern).
    public init(
        methods: [String: [ParamSpec]] = [:], methodsWithoutTeacher: Set<String> = [],
        isKnownModel: @escaping @Sendable (String) -> Bool = { Zoo.isValidName($0) },
        modelNames: [String] = Zoo.listedNames, modelPattern: String? = Zoo.namePattern
    ) {
        self.methods = methods
        self.methodsWithoutTeacher = methodsWithoutTeacher
        self.isKnownModel = isKnownModel
        self.modelNames = modelNames
        self.modelPattern = modelPattern
    }

    /// Registered method names, sorted.
    public var methodNames: [String] { methods.keys.sorted() }

    /// The parts of a method name (`at+kd` → `[at, kd]`) and their parameters' union, in order
    /// (a name declared by several parts keeps the first part's declaration and must agree in
    /// kind). The error message names the problem (unknown part, repeated part, kind conflict).
    public func resolveMethod(_ name: String) -> Result<(parts: [String], specs: [ParamSpec]), ParamError> {
        let parts = name.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        var specs: [ParamSpec] = []
        var seen = Set<String>()
        for part in parts {
            guard let declared = methods[part] else {
                let inName = parts.count > 1 ? " in '\(name)'" : ""
                let hint =
                    methods.isEmpty
                    ? "; no methods are registered"
                    : Suggestions.hint(for: part, among: methodNames, listing: true)
                return .failure(ParamError(path: "", message: "unknown method '\(part)'\(inName)\(hint)"))
            }
            guard seen.insert(part).inserted else {
                return .failure(ParamError(path: "", message: "method '\(part)' appears twice in '\(name)'"))
            }
            for spec in declared {
                if spec.name == "name" {
                    return .failure(ParamError(path: "", message: "method '\(part)' declares 'name', which names the method"))
                }
                if let earlier = specs.first(where: { $0.name == spec.name }) {
                    if earlier.kind != spec.kind {
                        return .failure(
                            ParamError(
                                path: "",
                                message: "'\(name)' combines two declarations of "
                                    + "'\(spec.name)': \(earlier.kind.expectation) and \(spec.kind.expectation)"))
                    }
                } else {
                    specs.append(spec)
                }
            }
        }
        return .success((parts, specs))
    }
}
