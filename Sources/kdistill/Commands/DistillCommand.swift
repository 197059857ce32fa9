// DistillCommand: `kdistill distill CONFIG [--method NAME]`.

import KDTrain

enum DistillCommand: Subcommand {
    static let spec = Command(
        name: "distill", abstract: "distill the teacher into a student with a method (kd, fitnet, at, fsp, rkd, sp, dml, ...)",
        usage: "kdistill distill CONFIG [--method NAME] [--set KEY=VALUE]... [--resume] [--json]",
        discussion: "--method replaces the config's method with the new method's own defaults; only cache_teacher "
            + "and --set method.KEY=VALUE carry over (--set method=NAME does the same). The resolved parameters are "
            + "printed at the start and written to config.json. `kdistill methods` lists every method with its "
            + "parameters and the rule for combinations (at+kd = kd+at).",
        options: [
            .value("method", "NAME", help: "method to use instead of the config's (e.g. at+kd)"),
            CommonOptions.set, CommonOptions.resume, CommonOptions.json,
        ],
        positionals: [Positional(name: "CONFIG", help: "experiment config (JSON)")])

    static func run(_ args: ParsedArguments) throws {
        let summary = try Distill.run(
            args.positional("CONFIG") ?? "", method: args.string("method"), overrides: args.strings("set"),
            resume: args.flag("resume"), threads: try args.int("threads", min: 1))
        Output.printRun(summary, json: args.flag("json"))
    }
}
