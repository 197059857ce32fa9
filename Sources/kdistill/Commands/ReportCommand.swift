// ReportCommand: `kdistill report RUN_DIR... [--out DIR] [--by KEYS]`: tables (Markdown, CSV), SVG plots and an
// HTML page from finished runs; prints the Markdown table, lists left-out directories on stderr.

import Foundation
import KDReport

enum ReportCommand: Subcommand {
    static let spec = Command(
        name: "report", abstract: "tables, plots and an HTML page from run directories, grouped by config, mean ± std over seeds",
        usage: "kdistill report RUN_DIR... [--out DIR] [--by KEY,...]",
        discussion: "Each RUN_DIR is a run directory (with config.json) or a directory holding runs (a sweep's root). "
            + "Runs are grouped by their resolved config without seed, name, output, description and threads; the "
            + "keys that differ name the groups. `--by model,method,optimizer.lr` groups by the keys given instead "
            + "(config dot paths; `model` is the trained network and `method` its method, `labels` for teachers), which "
            + "then are the table's columns. Writes results.md, results.csv, curves.svg, losses.svg, methods.svg and "
            + "index.html. Cohort members and pipeline runs are reported as rows of their own (column `member`); "
            + "diverged runs are listed, not averaged; unfinished runs are left out.",
        options: [
            .value("out", "DIR", short: "o", default: "report", help: "output directory"),
            .value("by", "KEY,...", help: "group by these keys (default: the config keys that differ between runs)"),
        ],
        positionals: [Positional(name: "RUN_DIR", help: "run directories or directories of runs", variadic: true)])

    static func run(_ args: ParsedArguments) throws {
        let keys = args.string("by").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let result = try Report.run(paths: args.positionals("RUN_DIR"), outDirectory: args.string("out") ?? "report", by: keys)
        for w in result.warnings { FileHandle.standardError.write(Data("kdistill report: skipped \(w)\n".utf8)) }
        print(result.markdown, terminator: "")
        FileHandle.standardError.write(Data("kdistill report: wrote \(result.files.joined(separator: ", "))\n".utf8))
    }
}
