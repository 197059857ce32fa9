// TuneStepCommand: `kdistill tune-step DIR TRIAL EPOCHS`: one step of a study, what `tune -j N` child
// processes and Slurm array tasks run: train the trial (trials/NNNN.json) to EPOCHS, leave steps/NNNN-eE.json.

import KDTrain

enum TuneStepCommand: Subcommand {
    static let spec = Command(
        name: "tune-step", abstract: "train one trial of a study to a rung (what tune's workers run)",
        usage: "kdistill tune-step DIR TRIAL EPOCHS [--rung K] [--objective val_acc] [--threads N] [--json]",
        discussion: """
            Trains (or resumes) trial TRIAL of the study in DIR from its config DIR/trials/NNNN.json to EPOCHS of its
            R epochs, never loading the test set, and writes how it ended to DIR/steps/NNNN-eEPOCHS.json (a
            validation accuracy, a non-finite loss, or a config whose networks or method cannot be built). kdistill
            tune starts it; run it by hand only to repeat a worker's step.
            """,
        options: [
            .value("rung", "K", help: "the rung this step reaches (recorded with the outcome)"),
            .value("objective", "NAME", help: "the validation figure to measure (default val_acc)"), CommonOptions.json,
        ],
        positionals: [
            Positional(name: "DIR", help: "study directory"), Positional(name: "TRIAL", help: "trial number"),
            Positional(name: "EPOCHS", help: "epochs to reach"),
        ])

    static func run(_ args: ParsedArguments) throws {
        func number(_ name: String, min: Int) throws -> Int {
            let text = args.positional(name) ?? ""
            guard let n = Int(text), n >= min else {
                throw UsageError(message: "\(name): expected an integer ≥ \(min), found '\(text)'", command: spec.name)
            }
            return n
        }
        let outcome = try TuneStep.runWorker(
            dir: args.positional("DIR") ?? "", trial: try number("TRIAL", min: 0), epochs: try number("EPOCHS", min: 1),
            rung: try args.int("rung", min: 0) ?? 0, objective: args.string("objective") ?? "val_acc",
            threads: try args.int("threads", min: 1))
        print(args.flag("json") ? outcome.formatted() : outcome.formatted(.compact))
    }
}
