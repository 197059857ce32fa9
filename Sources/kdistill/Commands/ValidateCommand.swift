// ValidateCommand: `kdistill validate CONFIG`: decodes and checks a config, prints it resolved.

import KDTrain

enum ValidateCommand: Subcommand {
    static let spec = Command(
        name: "validate", abstract: "check a config and print it with every default filled in",
        usage: "kdistill validate CONFIG [--method NAME] [--set KEY=VALUE]...",
        options: [.value("method", "NAME", help: "method to use instead of the config's"), CommonOptions.set],
        positionals: [Positional(name: "CONFIG", help: "experiment config (JSON)")])

    static func run(_ args: ParsedArguments) throws {
        let path = args.positional("CONFIG") ?? ""
        let probe = try ConfigLoading.load(path, overrides: args.strings("set"), method: args.string("method"), for: nil)
        let config = try ConfigLoading.load(
            path, overrides: args.strings("set"), method: args.string("method"),
            for: probe.impliedCommand)
        print(config.resolvedJSON.formatted())
    }
}
