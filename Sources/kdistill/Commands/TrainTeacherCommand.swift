// TrainTeacherCommand: `kdistill train-teacher CONFIG`.

import KDTrain

enum TrainTeacherCommand: Subcommand {
    static let spec = Command(
        name: "train-teacher", abstract: "train a model on the labels (a teacher, or a from-scratch baseline)",
        usage: "kdistill train-teacher CONFIG [--set KEY=VALUE]... [--resume] [--json]",
        discussion: "Writes runs/<name>/ (config.json, metrics.jsonl, latest/best.safetensors, summary.json). "
            + "SIGINT/SIGTERM save a resumable state; --resume continues it.",
        options: [CommonOptions.set, CommonOptions.resume, CommonOptions.json],
        positionals: [Positional(name: "CONFIG", help: "experiment config (JSON)")])

    static func run(_ args: ParsedArguments) throws {
        let summary = try TrainTeacher.run(
            args.positional("CONFIG") ?? "", overrides: args.strings("set"),
            resume: args.flag("resume"), threads: try args.int("threads", min: 1))
        Output.printRun(summary, json: args.flag("json"))
    }
}
