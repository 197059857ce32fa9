// ConfigContext: what the config decoder needs to know about other modules, injected so KDTrain
// hard-codes none of it: which model names exist, and the method registry with its combine rule.

import KDMethods
import KDNN

/// Knowledge the decoder checks configs against.
public struct ConfigContext: Sendable {
    /// The method registry as the combine rule sees it (names, parameters, roles in `a+b`).
    public var catalog: MethodCatalog
    /// Methods that run without `teacher` (e.g. `dml`, `ban`); a combination needs a teacher
    /// unless every part is listed here.
    public var methodsWithoutTeacher: Set<String>
    /// Whether a model name exists in the zoo.
    public var isKnownModel: @Sendable (String) -> Bool
    /// Model names offered as suggestions ("did you mean") and editor completions.
    public var modelNames: [String]
    /// Regular expression for model names in the JSON Schema, if any.
    public var modelPattern: String?
    /// Whether a model has residual blocks (the models `stochastic_depth` applies to).
    public var isResidualModel: @Sendable (String) -> Bool

    /// A context; by default no methods and the zoo's name rule (Zoo.isValidName, Zoo.namePattern).
    public init(
        methods: MethodCatalog = MethodCatalog(), methodsWithoutTeacher: Set<String> = [],
        isKnownModel: @escaping @Sendable (String) -> Bool = { Zoo.isValidName($0) },
        modelNames: [String] = Zoo.listedNames, modelPattern: String? = Zoo.namePattern,
        isResidualModel: @escaping @Sendable (String) -> Bool = { Zoo.isResidual($0) }
    ) {
        self.catalog = methods
        self.methodsWithoutTeacher = methodsWithoutTeacher
        self.isKnownModel = isKnownModel
        self.modelNames = modelNames
        self.modelPattern = modelPattern
        self.isResidualModel = isResidualModel
    }

    /// Registered method name → its declared parameters.
    public var methods: [String: [ParamSpec]] {
        Dictionary(catalog.methods.map { ($0.name, $0.params) }, uniquingKeysWith: { a, _ in a })
    }

    /// Registered method names, sorted.
    public var methodNames: [String] { catalog.methods.map(\.name).sorted() }

    /// A method name resolved by the registry's combine rule (canonical spelling, parts, parameters with
    /// their defaults); the error message names the problem, with a suggestion for an unknown part.
    public func resolveMethod(_ name: String) -> Result<ResolvedMethod, ParamError> {
        switch catalog.resolve(name) {
        case .success(let resolved): return .success(resolved)
        case .failure(let error):
            var message = error.message
            if case .unknown(let part, _) = error {
                message +=
                    catalog.methods.isEmpty
                    ? "; no methods are registered" : Suggestions.hint(for: part, among: methodNames, listing: true)
            }
            return .failure(ParamError(path: "", message: message))
        }
    }
}
