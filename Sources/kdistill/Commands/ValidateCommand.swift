// ValidateCommand: `kdistill validate CONFIG`: decodes and checks a config, prints it resolved, or with
// `--get KEY.PATH` one resolved value (scripts ask this instead of parsing JSON themselves).

import KDTrain

enum ValidateCommand: Subcommand {
    static let spec = Command(
        name: "validate", abstract: "check a config and print it with every default filled in",
        usage: "kdistill validate CONFIG [--method NAME] [--set KEY=VALUE]... [--get KEY.PATH]",
        discussion: """
            --get prints one key of the resolved config: a string as it is (output.dir -> runs/kd-lenet5),
            any other value as compact JSON; a key the resolved config does not have is an error (exit 2).
            """,
        options: [
            .value("method", "NAME", help: "method to use instead of the config's"), CommonOptions.set,
            .value("get", "KEY.PATH", help: "print only this key of the resolved config (e.g. output.dir)"),
        ],
        positionals: [Positional(name: "CONFIG", help: "experiment config (JSON)")])

    static func run(_ args: ParsedArguments) throws {
        let path = args.positional("CONFIG") ?? ""
        let probe = try ConfigLoading.load(path, overrides: args.strings("set"), method: args.string("method"), for: nil)
        let config = try ConfigLoading.load(
            path, overrides: args.strings("set"), method: args.string("method"),
            for: probe.impliedCommand)
        guard let key = args.string("get") else {
            print(config.resolvedJSON.formatted())
            return
        }
        var value: JSONValue? = config.resolvedJSON
        for part in key.split(separator: ".", omittingEmptySubsequences: false) { value = value?[String(part)] }
        guard let value else {
            throw ConfigError(source: path, path: key, message: "--get: the resolved config has no such key")
        }
        print(value.stringValue ?? value.formatted(.compact))
    }
}
