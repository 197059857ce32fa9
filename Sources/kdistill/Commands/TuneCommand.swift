// TuneCommand: `kdistill tune CONFIG --space SPACE.json`: a seeded random search with successive halving
// over epochs (beyond.md 4), judged on validation only; `--final` retrains the best and tests it once.

import KDTrain

enum TuneCommand: Subcommand {
    static let spec = Command(
        name: "tune", abstract: "search hyper-parameters (random search + ASHA/SHA over epochs) on the validation split",
        usage: "kdistill tune CONFIG --space SPACE.json [--out DIR] [--trials N] [--scheduler asha|sha|none] [--eta 3] "
            + "[--min-epochs 1] [--max-epochs R] [--budget-epochs B] [--seed 0] [-j N] [--executor local|slurm] "
            + "[--sbatch=OPTION]... [--final [--force] [--pick TRIAL]] [--new-study] [--json]",
        discussion: """
            CONFIG is the base experiment config (data.validation > 0 required); SPACE.json lists dotted config keys
            with choice, uniform, loguniform or int ranges (beyond.md 4.2). Flags override the space's `tune` block.
            The study directory (default runs/tune/<name>) holds study.json, events.jsonl, trials/NNNN/ (run
            directories), leaderboard.json|csv|md, curves.svg, index.html and best.json (with costs among the
            objectives also pareto.json|svg); rerunning the same command continues. The space's tune block may set
            objective (val_acc, val_worst_class_acc, val_mca, val_robust_acc: measured on validation at every rung),
            objectives (one of those plus params, flops, latency_ms), constraints and final.select (beyond.md 4.5).
            -j 1 (the default) trains one trial at a time in this process and reproduces bit for bit; -j N runs N
            trials side by side as `kdistill tune-step` child processes with the cores split between them (--threads:
            per trial); asha then decides in the order results arrive (study.json: deterministic false), sha and none
            stay reproducible. --executor slurm submits the steps ready together as one job array (sbatch --array,
            --cpus-per-task = --threads, default 1; -j caps the tasks in flight, default every ready step), polls
            squeue and the trials' outcome files, and resubmits a task that ended without one (3 tries). The study
            directory must be on a file system the nodes share. The test set is evaluated only by --final.
            """,
        options: [
            .value("space", "SPACE.json", help: "search-space file (required)"),
            .value("out", "DIR", help: "study directory (default runs/tune/<config name>)"),
            .value("trials", "N", help: "trials to sample (default: the space's tune.trials, else 9)"),
            .value("scheduler", "NAME", help: "asha (default), sha or none"),
            .value("eta", "N", help: "reduction factor η (default 3)"),
            .value("min-epochs", "N", help: "epochs of the lowest rung at least (default 1)"),
            .value("max-epochs", "R", help: "epochs of a full trial (default: the config's epochs)"),
            .value("budget-epochs", "B", help: "sample no new trial once B epochs were trained in all"),
            .value("seed", "N", help: "study seed: which trials are drawn (default 0)"),
            .value("jobs", "N", short: "j", help: "trials side by side (default 1; slurm: every ready step)"),
            .value("executor", "NAME", help: "local (default) or slurm"),
            .repeated("sbatch", "OPTION", help: "with slurm: an sbatch option, e.g. --sbatch=--partition=cpu (repeatable)"),
            .value("poll-seconds", "S", help: "with slurm: seconds between looks at the queue (default 5)"),
            .flag("final", help: "retrain the best config for R epochs and evaluate the test set once"),
            .flag("force", help: "with --final: evaluate the test set again (logged)"),
            .value("pick", "TRIAL", help: "with --final: retrain this trial (e.g. one of pareto.json's) instead of the best"),
            .flag("new-study", help: "replace a study made with another config, space or settings"),
            CommonOptions.json,
        ],
        positionals: [Positional(name: "CONFIG", help: "base experiment config (JSON)")])

    static func run(_ args: ParsedArguments) throws {
        guard let space = args.string("space") else {
            throw UsageError(message: "--space: required (a search-space JSON file)", command: spec.name)
        }
        var request = TuneRequest(config: args.positional("CONFIG") ?? "", space: space)
        request.out = args.string("out")
        request.trials = try args.int("trials", min: 1)
        request.scheduler = args.string("scheduler")
        request.eta = try args.int("eta", min: 2)
        request.minEpochs = try args.int("min-epochs", min: 1)
        request.maxEpochs = try args.int("max-epochs", min: 1)
        request.seed = try args.int("seed", min: 0)
        request.budgetEpochs = try args.int("budget-epochs", min: 1)
        (request.final, request.force, request.newStudy) = (args.flag("final"), args.flag("force"), args.flag("new-study"))
        request.pick = try args.int("pick", min: 0)
        request.threads = try args.int("threads", min: 1)
        request.jobs = try args.int("jobs", min: 1)
        if let name = args.string("executor") {
            guard let executor = ExecutorName(rawValue: name) else {
                throw UsageError(message: "--executor: expected local or slurm, found '\(name)'", command: spec.name)
            }
            request.executor = executor
        }
        request.sbatchOptions = args.strings("sbatch")
        if let poll = args.string("poll-seconds") {
            guard let seconds = Double(poll), seconds > 0 else {
                throw UsageError(message: "--poll-seconds: expected a number > 0, found '\(poll)'", command: spec.name)
            }
            request.pollSeconds = seconds
        }
        request.executable = Executable.path
        let result = try Tune.run(request)
        if args.flag("json") { print(result.formatted()); return }
        print(lines(result))
    }

    /// `study runs/tune/kd: best trial 4, val_acc 84.10% (3 of 9 trials to 9 epochs, 33 epochs), best.json ...`.
    static func lines(_ r: JSONValue) -> String {
        let best = r["best"]
        let objective = r["objective"]?.stringValue ?? "val_acc"
        var text =
            "study \(r["study"]?.stringValue ?? ""): \(r["trials"]?.intValue ?? 0) trials, "
            + "\(r["epochs_trained"]?.intValue ?? 0) epochs trained; chosen trial \(best?["trial"]?.intValue ?? 0), "
            + String(format: "%@ %.2f%%", objective, (best?[objective]?.doubleValue ?? 0) * 100)
            + "; config \(best?["config"]?.stringValue ?? ""), table \(r["leaderboard"]?.stringValue ?? "")"
        if let final = r["final"] { text += "\nfinal: " + Output.runLine(final) }
        return text
    }
}
