// MethodReplacement: switching a config to another method (`--method NAME`, `--set method=NAME`,
// `--set method.name=NAME`, a sweep's `method=` axis) starts from the new method's own defaults: only
// `cache_teacher`, `quantize` and the keys set with `--set method.KEY=...` carry over. Naming the same method keeps
// the config's parameters.

import KDMethods

/// The one rule for replacing a config's method.
enum MethodReplacement {
    /// `tree` with the method replacements among `overrides` applied (the last one wins), and the
    /// other overrides in order (a `method={"name": ..., KEY: ...}` object becomes its name plus
    /// `method.KEY` overrides), to be applied after it.
    static func apply(
        _ overrides: [ConfigOverride], to tree: JSONValue, source: String, context: ConfigContext
    ) throws(ConfigError) -> (tree: JSONValue, rest: [ConfigOverride]) {
        var tree = tree, rest: [ConfigOverride] = []
        for o in overrides {
            switch (o.path, o.value) {
            case (["method", "name"], .string(let name)), (["method"], .string(let name)):
                tree = try replacing(in: tree, with: name, source: source, path: o.keyPath, context: context)
            case (["method"], .object(let object)):
                guard case .string(let name)? = object["name"] else { fallthrough }
                tree = try replacing(in: tree, with: name, source: source, path: "method.name", context: context)
                for (key, value) in object where key != "name" {
                    rest.append(ConfigOverride(path: ["method", key], value: value))
                }
            default:
                rest.append(o)
            }
        }
        return (tree, rest)
    }

    /// The config tree with its method replaced by `name`: the new method's defaults plus the old
    /// `cache_teacher` and `quantize` when the new method declares them; unchanged when `name` is the same method.
    /// Errors name `source` and `path`, marked as from `--set` unless `source` is `--method`.
    static func replacing(
        in tree: JSONValue, with name: String, source: String, path: String, context: ConfigContext
    ) throws(ConfigError) -> JSONValue {
        guard case .object(var root) = tree else { return tree }
        let new: ResolvedMethod
        switch context.resolveMethod(name) {
        case .success(let resolved): new = resolved
        case .failure(let error):
            throw ConfigError(source: source, path: path, message: error.message, fromOverride: source != "--method")
        }
        var old = JSONObject()
        switch root["method"] {
        case .object(let o)?: old = o
        case .string(let s)?: old["name"] = .string(s)
        default: break
        }
        if case .string(let oldName)? = old["name"], case .success(let was) = context.resolveMethod(oldName),
            was.name == new.name
        {
            return tree
        }
        var method: JSONObject = ["name": .string(new.name)]
        for key in ["cache_teacher", Quantization.param.name] {  // settings of the run rather than of the method
            if let value = old[key], new.specs.contains(where: { $0.name == key }) { method[key] = value }
        }
        root["method"] = .object(method)
        return .object(root)
    }
}
