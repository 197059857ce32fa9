// StatusCommand: `kdistill status RUN_DIR`: whether a run finished (completed, diverged), is unfinished
// or absent, by RunDirectory's rule; the scripts ask this instead of reading summary.json themselves.

import KDTrain

enum StatusCommand: Subcommand {
    static let spec = Command(
        name: "status",
        abstract: "print a run directory's state: completed, diverged, unfinished or absent",
        usage: "kdistill status RUN_DIR",
        discussion: """
            completed: summary.json says so. diverged: its summary.json, or a cohort member's or pipeline
            run's, says so (a finished run too: sweeps do not retry it). unfinished: config.json but no such
            summary (interrupted or still running). absent: no config.json. Exit status 0 whenever the
            state is printed, 1 when a summary.json cannot be read, 2 for bad usage.
            """,
        options: [], positionals: [Positional(name: "RUN_DIR", help: "a run directory (output.dir of a config)")])

    static func run(_ args: ParsedArguments) throws {
        print(try RunDirectory(args.positional("RUN_DIR") ?? "").state().rawValue)
    }
}
