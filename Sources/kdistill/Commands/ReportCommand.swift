// ReportCommand: `kdistill report RUN_DIR... [--out DIR] [--by KEYS] [--fairness] [--robustness]`: tables (Markdown, CSV), SVG plots
// and an HTML page from finished runs; prints the Markdown tables, lists left-out directories on stderr.

import Foundation
import KDReport

enum ReportCommand: Subcommand {
    static let spec = Command(
        name: "report", abstract: "tables, plots and an HTML page from run directories, grouped by config, mean ± std over seeds",
        usage: "kdistill report RUN_DIR... [--out DIR] [--by KEY,...] [--fairness [--fairness-baseline GROUP]] [--robustness]",
        discussion: "Each RUN_DIR is a run directory (with config.json) or a directory holding runs (a sweep's root). "
            + "Runs are grouped by their resolved config without seed, name, output, description and threads; the "
            + "keys that differ name the groups. `--by model,method,optimizer.lr` groups by the keys given instead "
            + "(config dot paths; `model` is the trained network and `method` its method, `labels` for teachers), which "
            + "then are the table's columns. Writes results.md, results.csv, curves.svg, losses.svg, methods.svg and "
            + "index.html. Cohort members and pipeline runs are reported as rows of their own (column `member`); "
            + "diverged runs are listed, not averaged; unfinished runs are left out. `--fairness` adds per-class "
            + "test accuracy per group (worst class, worst-k, head/medium/tail when runs wrote training counts) and, "
            + "for each distilled group, the effect d_c against the one-hot student of the same model and data "
            + "(train-teacher runs; or the group --fairness-baseline names): fairness.md, fairness.csv, "
            + "fairness-classes.csv, fairness-classes.svg, fairness-counts.svg, and a section of index.html. "
            + "`--robustness` tabulates summary.json's `robustness` block (config `evaluation`) per group: clean "
            + "accuracy, robust accuracy per attack and ε, mCA, rCA and each corruption's accuracy, each distinct "
            + "teacher once: robustness.md, robustness.csv, robustness.svg (accuracy against ε), and a section of "
            + "index.html.",
        options: [
            .value("out", "DIR", short: "o", default: "report", help: "output directory"),
            .value("by", "KEY,...", help: "group by these keys (default: the config keys that differ between runs)"),
            .flag("fairness", help: "add per-class accuracy, worst class and the distillation effect per class"),
            .value(
                "fairness-baseline", "GROUP", help: "the group label of the one-hot student (default: found by model and data)"),
            .flag("robustness", help: "add clean, adversarial (per attack and ε) and corruption accuracy (mCA, rCA)"),
        ],
        positionals: [Positional(name: "RUN_DIR", help: "run directories or directories of runs", variadic: true)])

    static func run(_ args: ParsedArguments) throws {
        let keys = args.string("by").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let baseline = args.string("fairness-baseline")
        if baseline != nil && !args.flag("fairness") {
            throw UsageError(message: "--fairness-baseline: needs --fairness", command: spec.name)
        }
        let result = try Report.run(
            paths: args.positionals("RUN_DIR"), outDirectory: args.string("out") ?? "report", by: keys,
            fairness: args.flag("fairness"), fairnessBaseline: baseline, robustness: args.flag("robustness"))
        for w in result.warnings { FileHandle.standardError.write(Data("kdistill report: skipped \(w)\n".utf8)) }
        print(result.markdown, terminator: "")
        if let fairness = result.fairness { print("\n" + FairnessTables.markdown(fairness), terminator: "") }
        if let robustness = result.robustness { print("\n" + RobustnessTables.markdown(robustness), terminator: "") }
        FileHandle.standardError.write(Data("kdistill report: wrote \(result.files.joined(separator: ", "))\n".utf8))
    }
}
