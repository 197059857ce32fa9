// ConfigLoading: reads an experiment config for a command: the registry-aware decoding context
// (its combine rule decides `a+b`), `--set` overrides, and `--method`, which replaces the config's
// method with the new one's defaults (MethodReplacement), so one config serves a sweep over methods.

import Foundation
import KDMethods
import KDNN
import KDTensor

/// Config loading shared by the commands.
public enum ConfigLoading {
    /// The decoding context: the zoo's model names and the method registry.
    public static var context: ConfigContext {
        ConfigContext(
            methods: MethodRegistry.catalog, methodsWithoutTeacher: MethodRegistry.teacherOptional,
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
        if let method {
            json = try MethodReplacement.replacing(
                in: json, with: method, source: "--method", path: "method.name", context: context)
        }
        let config = try ExperimentConfig.decode(
            json, source: path, defaultName: ExperimentConfig.baseName(of: path),
            overrides: parsedOverrides, context: context)
        if let command { try config.validate(for: command, context: context) }
        return config
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
