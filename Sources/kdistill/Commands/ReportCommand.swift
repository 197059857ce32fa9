// ReportCommand: `kdistill report RUN_DIR... [--out DIR]`: tables (Markdown, CSV), SVG plots and an
// HTML page from finished runs; prints the Markdown table, lists left-out directories on stderr.

import Foundation
import KDTrain

enum ReportCommand: Subcommand {
    static let spec = Command(
        name: "report", abstract: "tables, plots and an HTML page from run directories, grouped by config, mean ± std over seeds",
        usage: "kdistill report RUN_DIR... [--out DIR]",
        discussion: "Each RUN_DIR is a run directory (with config.json) or a directory holding runs (a sweep's root). "
            + "Runs are grouped by their resolved config without seed, name, output, description and threads; the "
            + "keys that differ name the groups. Writes results.md, results.csv, curves.svg, losses.svg, methods.svg and "
            + "index.html. Cohort members and pipeline runs are reported as rows of their own (column `member`); "
            + "diverged runs are listed, not averaged; unfinished runs are left out.",
        options: [.value("out", "DIR", short: "o", default: "report", help: "output directory")],
        positionals: [Positional(name: "RUN_DIR", help: "run directories or directories of runs", variadic: true)])

    static func run(_ args: ParsedArguments) throws {
        let result = try Report.run(paths: args.positionals("RUN_DIR"), outDirectory: args.string("out") ?? "report")
        for w in result.warnings { FileHandle.standardError.write(Data("kdistill report: skipped \(w)\n".utf8)) }
        print(result.markdown, terminator: "")
        FileHandle.standardError.write(Data("kdistill report: wrote \(result.files.joined(separator: ", "))\n".utf8))
    }
}
