// TrialConfig: a trial's experiment config: the base config's JSON with the sampled keys set through
// the project's `--set` machinery (ConfigOverride, MethodReplacement), `epochs: R`, its own name and run
// directory, then decoded and validated like any config. Also the space check done before any training.

import Foundation
import KDJSON
import KDMethods

/// Builds and checks trial configs from a base config.
struct TrialConfigBuilder {
    /// The base config file and its JSON as written.
    let source: String
    let baseJSON: JSONValue
    let baseName: String
    let command: ConfigCommand
    /// R: every trial's `epochs` (its schedule horizon, beyond.md 4.3).
    let maxEpochs: Int
    let studyDir: String
    let context: ConfigContext

    /// The run directory of trial `trial`: `DIR/trials/0007`.
    func runDirectory(_ trial: Int) -> String { StudyFiles(dir: studyDir).trialRunDir(trial) }

    /// The trial config for `values` (dotted key → value); errors name the trial and the key.
    func config(trial: Int, values: JSONObject) throws(ConfigError) -> ExperimentConfig {
        try config(values, name: baseName + String(format: "-t%04d", trial), dir: runDirectory(trial), label: "trial \(trial)")
    }

    /// A config with `values` applied, named `name`, writing to `dir`.
    func config(_ values: JSONObject, name: String, dir: String, label: String) throws(ConfigError) -> ExperimentConfig {
        var overrides = values.map { ConfigOverride(path: $0.key.split(separator: ".").map(String.init), value: $0.value) }
        overrides += [
            ConfigOverride(path: ["epochs"], value: .int(maxEpochs)), ConfigOverride(path: ["name"], value: .string(name)),
            ConfigOverride(path: ["output", "dir"], value: .string(dir)),
        ]
        do throws(ConfigError) {
            let config = try ExperimentConfig.decode(
                baseJSON, source: source, defaultName: baseName, overrides: overrides, context: context)
            try config.validate(for: command, context: context)
            return config
        } catch {
            throw ConfigError(source: "\(source) (\(label))", path: error.path, message: error.message)
        }
    }

    /// The resolved config without what differs between trials (name, output.dir): equal for duplicates.
    static func identity(_ config: ExperimentConfig) -> String {
        guard case .object(var o) = config.resolvedJSON else { return "" }
        o["name"] = nil
        if case .object(var output)? = o["output"] {
            output["dir"] = nil
            o["output"] = .object(output)
        }
        return JSONValue.object(o).formatted(.compact)
    }

    /// Before any training: every listed value (or range end) of every key, set on the base config with the
    /// first listed value of each `when` key, must pass the schema; the error names the space key.
    func check(_ space: SearchSpace) throws(ConfigError) {
        for param in space.params {
            if ["epochs", "name", "output", "output.dir"].contains(param.key) {
                throw ConfigError(
                    source: space.source, path: "params." + param.key,
                    message: "set by the study for every trial (epochs: --max-epochs; name and output.dir: the trial's directory)"
                )
            }
            var given = JSONObject()
            for condition in param.when { given[condition.key] = condition.values[0] }
            for probe in SpaceSampler.probes(param.distribution) {
                var values = given
                values[param.key] = probe
                let overrides = values.map {
                    ConfigOverride(path: $0.key.split(separator: ".").map(String.init), value: $0.value)
                }
                do throws(ConfigError) {
                    _ = try ExperimentConfig.decode(
                        baseJSON, source: source, defaultName: baseName, overrides: overrides, context: context)
                } catch {
                    let at = error.path.isEmpty ? "" : error.path + ": "
                    throw ConfigError(
                        source: space.source, path: "params." + param.key,
                        message: "the value \(probe.formatted(.compact)) does not fit the config: \(at)\(error.message)")
                }
            }
        }
    }
}
