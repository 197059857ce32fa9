// ConfigLoading: reads an experiment config for a command: the registry-aware decoding context,
// `--set` overrides, and `--method`, which replaces the config's method (keeping only the parameters
// the new method declares, so one config serves a sweep over methods).

import Foundation
import KDMethods
import KDNN
import KDTensor

/// Config loading shared by the commands.
public enum ConfigLoading {
    /// The decoding context: the zoo's model names and the method registry.
    public static var context: ConfigContext {
        ConfigContext(
            methods: MethodRegistry.paramSpecs, methodsWithoutTeacher: MethodRegistry.teacherOptional,
            isKnownModel: { Zoo.isValidName($0) }, modelNames: Zoo.listedNames)
    }

    /// Loads `path` with `--set` overrides (`KEY.PATH=VALUE`) and an optional `--method`, validated for `command`.
    public static func load(
        _ path: String, overrides: [String] = [], method: String? = nil,
        for command: ConfigCommand?
    ) throws -> ExperimentConfig {
        let parsedOverrides = try overrides.map { argument throws(ConfigError) in try ConfigOverride(parsing: argument) }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file as UTF-8 text" : "no such file"
            throw ConfigError(source: path, message: reason)
        }
        var json: JSONValue
        do { json = try JSONValue(parsing: text) } catch { throw ConfigError(source: path, message: error.description) }
        if let method { json = try replacingMethod(in: json, with: method, source: path) }
        let config = try ExperimentConfig.decode(
            json, source: path, defaultName: ExperimentConfig.baseName(of: path),
            overrides: parsedOverrides, context: context)
        if let command { try config.validate(for: command, context: context) }
        try checkCombination(config)
        return config
    }

    /// A combination (`at+kd`) joins single-student methods that combine (feature and relation ones) or kd;
    /// checked here so `validate` rejects what `distill` could not build, before any data is read.
    static func checkCombination(_ config: ExperimentConfig) throws {
        guard let method = config.method, method.parts.count > 1 else { return }
        for name in method.parts {
            guard let entry = MethodRegistry.entry(name) else { continue }
            var single = false
            if case .single = entry.shape { single = true }
            if !single || !(entry.combinable || name == "kd") {
                throw ConfigError(
                    source: config.source, path: "method.name",
                    message: "expected single-student methods that combine (e.g. at+kd), found '\(name)' in '\(method.name)'")
            }
        }
    }

    /// The config tree with `method` set to `name`, keeping the old method's parameters `name` declares.
    static func replacingMethod(in json: JSONValue, with name: String, source: String) throws -> JSONValue {
        guard case .object(var root) = json else { return json }
        let specs: [ParamSpec]
        switch context.resolveMethod(name) {
        case .success(let resolved): specs = resolved.specs
        case .failure(let error): throw ConfigError(source: "--method", path: "method.name", message: error.message)
        }
        var method = JSONObject()
        method["name"] = .string(name)
        if case .object(let old)? = root["method"] {
            for (key, value) in old where key != "name" && specs.contains(where: { $0.name == key }) { method[key] = value }
        }
        root["method"] = .object(method)
        return .object(root)
    }

    /// Applies `threads` (config or `--threads`) to the kernels.
    public static func applyThreads(_ config: ExperimentConfig, override: Int?) {
        if let n = override ?? config.threads { Parallel.threads = n }
    }
}

extension ConfigLoading {
    /// Sets the kernels' thread count (`--threads` outside a config).
    public static func applyThreadCount(_ n: Int) { Parallel.threads = n }
}
