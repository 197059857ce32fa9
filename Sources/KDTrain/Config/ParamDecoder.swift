// ParamDecoder: checks a JSON tree against ParamSpecs and resolves it into ParamValues with
// defaults filled in. Used for the whole experiment config and, through `.method`, for each
// method's parameters. Every error names the key path, the expectation and the value found.

import KDMethods

/// Decodes JSON against declarations, reporting errors for `source`.
struct ParamDecoder {
    let context: ConfigContext
    let source: String
    /// Key paths whose values came from `--set`.
    let overridden: [String]

    func error(_ path: String, _ message: String) -> ConfigError {
        // At, under, or above an overridden key (`--set optimizer.lr.x=1` makes `optimizer.lr` an object).
        let fromOverride = overridden.contains {
            path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") || (!path.isEmpty && $0.hasPrefix(path + "."))
        }
        return ConfigError(source: source, path: path, message: message, fromOverride: fromOverride)
    }

    func mismatch(_ path: String, _ kind: ParamKind, _ found: JSONValue) -> ConfigError {
        error(path, "expected \(kind.expectation), found \(ParamDecoder.show(found))")
    }

    /// A value as messages show it: JSON text, shortened; long containers by their type.
    static func show(_ v: JSONValue) -> String {
        let text = v.formatted(.compact)
        if text.count <= 40 { return text }
        if case .string = v { return String(text.prefix(37)) + "...\"" }
        return v.typeName
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// An object of `specs`: rejects unknown keys (suggesting the closest), fills defaults,
    /// treats `null` as not given.
    func decodeObject(_ json: JSONValue, specs: [ParamSpec], path: String) throws(ConfigError) -> ParamValues {
        guard case .object(let object) = json else { throw mismatch(path, .object(specs), json) }
        let names = specs.map(\.name)
        for key in object.keys where !names.contains(key) {
            throw error(join(path, key), "unknown key" + Suggestions.hint(for: key, among: names, listing: true))
        }
        var values = ParamValues(path: path)
        for spec in specs {
            let keyPath = join(path, spec.name)
            if let given = object[spec.name], given != .null {
                values[spec.name] = try decode(given, as: spec.kind, path: keyPath)
                continue
            }
            switch spec.defaultValue {
            case .value(let v):
                if case .object(let nested, _) = spec.kind {
                    values[spec.name] = .object(try decodeObject(.object(JSONObject()), specs: nested, path: keyPath))
                } else {
                    values[spec.name] = v
                }
            case .absent: continue
            case .required: throw error(keyPath, "missing; expected \(spec.kind.expectation)")
            }
        }
        return values
    }

    /// One value of `kind`.
    func decode(_ json: JSONValue, as kind: ParamKind, path: String) throws(ConfigError) -> ParamValue {
        switch (kind, json) {
        case (.number(let b), _):
            guard let x = json.doubleValue, b.contains(x) else { throw mismatch(path, kind, json) }
            return .number(x)
        case (.numberOr(let word, _), .string(let s)):
            guard s == word else { throw mismatch(path, kind, json) }
            return .string(s)
        case (.numberOr(_, let b), _):
            guard let x = json.doubleValue, b.contains(x) else { throw mismatch(path, kind, json) }
            return .number(x)
        case (.integer(let b), .int(let i)):
            guard b.contains(i) else { throw mismatch(path, kind, json) }
            return .integer(i)
        case (.integer(let b), .number(let x)):
            guard x == x.rounded(), abs(x) <= 9_007_199_254_740_992, b.contains(Int(x)) else {
                throw mismatch(path, kind, json)
            }
            return .integer(Int(x))
        case (.list(.object(let specs, _), nil), .object):
            // One object stands for a list of one (`data.student_view`: a transform or a list of them).
            return .list([.object(try decodeObject(json, specs: specs, path: path))])
        case (.boolean, .bool(let v)):
            return .bool(v)
        case (.string(let choices), .string(let s)):
            if let choices, !choices.contains(s) {
                throw error(
                    path,
                    "expected \(kind.expectation), found \(ParamDecoder.show(json))"
                        + Suggestions.hint(for: s, among: choices))
            }
            return .string(s)
        case (.list(let element, let count), .array(let items)):
            if let count, items.count != count { throw mismatch(path, kind, json) }
            var out: [ParamValue] = []
            for (k, item) in items.enumerated() { out.append(try decode(item, as: element, path: "\(path)[\(k)]")) }
            return .list(out)
        case (.model, .string(let name)):
            try checkModel(name, path: path)
            return .model(ModelConfig(name: name))
        case (.model, .object):
            let values = try decodeObject(json, specs: ModelConfig.specs, path: path)
            guard case .string(let name)? = values["name"], let dropout = values["dropout"]?.doubleValue,
                let headDropout = values["head_dropout"]?.doubleValue,
                let stochasticDepth = values["stochastic_depth"]?.doubleValue
            else {
                throw mismatch(path, kind, json)
            }
            try checkModel(name, path: join(path, "name"))
            if stochasticDepth < 1, !context.isResidualModel(name) {
                throw error(
                    join(path, "stochastic_depth"),
                    "expected 1 for model '\(name)' (stochastic depth needs residual blocks: resnet*, wrn-*), "
                        + "found \(ParamDecoder.show(json["stochastic_depth"] ?? .null))")
            }
            return .model(
                ModelConfig(name: name, dropout: dropout, headDropout: headDropout, stochasticDepth: stochasticDepth))
        case (.object(let specs, _), .object):
            return .object(try decodeObject(json, specs: specs, path: path))
        case (.object(let specs, let shorthand?), .string), (.object(let specs, let shorthand?), .int),
            (.object(let specs, let shorthand?), .number):
            // A bare value stands for `{shorthand: value}` when it is the shorthand key's kind of value.
            let numeric = json.doubleValue != nil
            guard specs.first(where: { $0.name == shorthand })?.kind.isNumeric == numeric else {
                throw mismatch(path, kind, json)
            }
            return .object(try decodeObject(.object([shorthand: json]), specs: specs, path: path))
        case (.method, .string):
            return .object(try decodeMethod(.object(["name": json]), path: path, shorthand: true))
        case (.method, .object):
            return .object(try decodeMethod(json, path: path, shorthand: false))
        default:
            throw mismatch(path, kind, json)
        }
    }

    func checkModel(_ name: String, path: String) throws(ConfigError) {
        guard context.isKnownModel(name) else {
            throw error(path, "unknown model '\(name)'" + Suggestions.hint(for: name, among: context.modelNames))
        }
    }

    /// A method name resolved by the registry's combine rule (canonical spelling, parameters).
    func resolveMethod(name: String, path: String) throws(ConfigError) -> ResolvedMethod {
        switch context.resolveMethod(name) {
        case .success(let resolved): return resolved
        case .failure(let failure): throw error(path, failure.message)
        }
    }

    /// `{"name": ..., params...}` with the name in its canonical spelling; with `shorthand` the name's
    /// errors are reported at `path` itself.
    func decodeMethod(_ json: JSONValue, path: String, shorthand: Bool) throws(ConfigError) -> ParamValues {
        let namePath = shorthand ? path : join(path, "name")
        guard let nameValue = json["name"], nameValue != .null else {
            let list = context.methods.isEmpty ? "" : " (" + context.methodNames.joined(separator: ", ") + ")"
            throw error(namePath, "missing; expected a method name\(list)")
        }
        guard case .string(let name) = nameValue else {
            throw error(namePath, "expected a method name, found \(ParamDecoder.show(nameValue))")
        }
        let resolved = try resolveMethod(name: name, path: namePath)
        let specs = [ParamSpec("name", .string(), default: .required, doc: "method name")] + resolved.specs
        if json[Quantization.param.name] != nil, !specs.contains(where: { $0.name == Quantization.param.name }) {
            let shape = context.catalog.methods.first { $0.name == resolved.name }?.shape ?? "multi-network"
            throw error(
                join(path, Quantization.param.name), Quantization.refusal(method: resolved.name, shape: shape))
        }
        var values = try decodeObject(json, specs: specs, path: path)
        if case .object(let given) = json {
            values.applyConditionalDefaults(specs, given: Set(given.keys.filter { given[$0] != .null }))
        }
        values["name"] = .string(resolved.name)  // `kd+at` is written `at+kd`
        return values
    }
}
