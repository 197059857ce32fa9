// ConfigOverride: `--set key.path=value` from the command line, applied to the JSON tree before
// it is checked, so override mistakes read like file mistakes (plus "(from --set)"). Missing
// objects on the way are created; a bare-string shorthand (`"method": "kd"`) is expanded first.

import KDMethods

/// One `--set key.path=value`.
public struct ConfigOverride: Equatable, Sendable {
    /// Keys from the top (`["optimizer", "lr"]`).
    public var path: [String]
    /// The value: the text parsed as JSON when it is valid JSON, else the text as a string.
    public var value: JSONValue
    /// The value's text as given.
    public var text: String

    /// `optimizer.lr`.
    public var keyPath: String { path.joined(separator: ".") }

    /// Parses `key.path=value` (the text after `--set`). Bad syntax throws a ConfigError with
    /// source `--set`, a usage error for the CLI.
    public init(parsing argument: String) throws(ConfigError) {
        guard let eq = argument.firstIndex(of: "=") else {
            throw ConfigError(source: "--set", message: "expected KEY.PATH=VALUE, found '\(argument)'")
        }
        let key = String(argument[..<eq])
        let keys = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if keys.contains(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) }) {
            throw ConfigError(source: "--set", message: "expected KEY.PATH=VALUE with dot-separated keys, found '\(argument)'")
        }
        text = String(argument[argument.index(after: eq)...])
        path = keys
        value = (try? JSONValue(parsing: text)) ?? .string(text)
    }

    /// An override of `path` with `value` (given as JSON already).
    public init(path: [String], value: JSONValue) {
        self.path = path
        self.value = value
        self.text = value.formatted(.compact)
    }

    /// `tree` with every override applied in order. Where the schema expects a string, a value
    /// that parsed as another scalar (`--set name=2024`) is taken as its text.
    public static func apply(
        _ overrides: [ConfigOverride], to tree: JSONValue, source: String,
        context: ConfigContext
    ) throws(ConfigError) -> JSONValue {
        var result = tree
        for o in overrides {
            guard case .object(var root) = result else {
                throw ConfigError(source: source, message: "expected an object at the top level, found \(result.typeName)")
            }
            try o.set(in: &root, depth: 0, specs: ConfigSchema.fields, source: source, context: context)
            result = .object(root)
        }
        return result
    }

    private func set(
        in object: inout JSONObject, depth: Int, specs: [ParamSpec]?, source: String,
        context: ConfigContext
    ) throws(ConfigError) {
        let key = path[depth]
        let kind = specs?.first { $0.name == key }?.kind
        if depth == path.count - 1 {
            object[key] = adapted(value, to: kind)
            return
        }
        var child: JSONObject
        switch object[key] {
        case nil, .null?: child = JSONObject()
        case .object(let o)?: child = o
        case let bare? where kind.flatMap(Self.shorthandKey) != nil && (bare.stringValue != nil || bare.doubleValue != nil):
            child = JSONObject()
            child[kind.flatMap(Self.shorthandKey) ?? "name"] = bare
        case let other?:
            let prefix = path[...depth].joined(separator: ".")
            throw ConfigError(
                source: source, path: prefix,
                message: "cannot set '\(keyPath)': expected an object at "
                    + "'\(prefix)', found \(ParamDecoder.show(other))", fromOverride: true)
        }
        let nested = kind.flatMap { Self.nestedSpecs($0, object: child, context: context) }
        try set(in: &child, depth: depth + 1, specs: nested, source: source, context: context)
        object[key] = .object(child)
    }

    /// The value as given, or its text when a string is expected and it parsed as another scalar.
    private func adapted(_ v: JSONValue, to kind: ParamKind?) -> JSONValue {
        switch (kind, v) {
        case (.string?, .int), (.string?, .number), (.string?, .bool): return .string(text)
        default: return v
        }
    }

    /// The key a bare string stands for in an object of `kind`, if it has a shorthand.
    static func shorthandKey(_ kind: ParamKind) -> String? {
        switch kind {
        case .model, .method: return "name"
        case .object(_, let shorthand): return shorthand
        default: return nil
        }
    }

    /// Declarations inside a value of `kind` (for methods: those of the method it names, if known).
    static func nestedSpecs(_ kind: ParamKind, object: JSONObject, context: ConfigContext) -> [ParamSpec]? {
        switch kind {
        case .object(let specs, _): return specs
        case .model: return ModelConfig.specs
        case .method:
            guard case .string(let name)? = object["name"], case .success(let r) = context.resolveMethod(name) else {
                return nil
            }
            return [ParamSpec("name", .string(), default: .required, doc: "method name")] + r.specs
        default: return nil
        }
    }
}
