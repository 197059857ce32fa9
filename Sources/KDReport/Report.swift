// Report: `kdistill report RUN_DIR...`: reads the runs, groups them, and writes results.md,
// results.csv, curves.svg, losses.svg, methods.svg and index.html into the output directory (with
// `--fairness`, the files of FairnessOutput too; with `--robustness`, those of RobustnessOutput).

import Foundation
import KDSupport

/// Report generation.
public enum Report {
    /// What a report produced.
    public struct Result {
        /// The grouped runs.
        public var grouped: GroupedRuns
        /// results.md: the group table and notes (printed by the command).
        public var markdown: String
        /// Files written, in order.
        public var files: [String]
        /// Directories left out, one line each (`path: reason`).
        public var warnings: [String]
        /// The fairness analysis (`--fairness`), whose fairness.md the command prints too.
        public var fairness: FairnessAnalysis?
        /// The robustness analysis (`--robustness`), whose robustness.md the command prints too.
        public var robustness: RobustnessAnalysis?
    }

    /// The file names written into the output directory.
    public static let fileNames = ["results.md", "results.csv", "curves.svg", "losses.svg", "methods.svg", "index.html"]

    /// Reads the runs under `paths` and writes the report into `outDirectory`; `by` picks the grouping
    /// keys (default: the config keys that differ between runs). `fairness` adds the per-class analysis
    /// (FairnessOutput) with `fairnessBaseline` as the one-hot student of every distilled group when given;
    /// `robustness` the clean, adversarial and corruption figures (RobustnessOutput).
    public static func run(
        paths: [String], outDirectory: String, by keys: [String]? = nil, fairness: Bool = false, fairnessBaseline: String? = nil,
        robustness: Bool = false
    ) throws -> Result {
        let set = RunReader.read(paths)
        let warnings = set.skipped.map { "\($0.path): \($0.reason)" }
        guard !set.records.isEmpty else {
            throw ReportError(
                .input,
                "expected finished run directories (config.json and summary.json), found none among "
                    + paths.joined(separator: " ") + (warnings.isEmpty ? "" : " (" + warnings.joined(separator: "; ") + ")"))
        }
        if let keys {
            let unknown = RunGrouping.unknownKeys(keys, in: set.records)
            if !unknown.isEmpty {
                throw ReportError(
                    .input,
                    "--by: no run has \(unknown.map { "'\($0)'" }.joined(separator: ", ")); expected model, method or a "
                        + "config key such as optimizer.lr or method.T")
            }
        }
        let grouped = RunGrouping.group(set.records, by: keys)
        let markdown = self.markdown(grouped)
        let plots = [
            ("Learning curves", ReportPlots.curves(grouped)), ("Loss terms", ReportPlots.losses(grouped)),
            ("Methods", ReportPlots.methods(grouped)),
        ]
        let extra = fairness ? try FairnessOutput(grouped, baseline: fairnessBaseline) : nil
        let robust = robustness ? try RobustnessOutput(grouped) : nil
        let sections = [extra?.html, robust?.html].compactMap { $0 }
        let texts =
            [markdown + "\n" + "## Runs\n\n" + ResultsTable.runs(grouped).markdown(), ResultsTable.csv(grouped)]
            + plots.map { $0.1.fileText() }
            + [ReportPage.html(grouped, plots: plots, skipped: set.skipped, sections: sections)]
        do { try FileIO.makeDirectory(outDirectory) } catch {
            throw ReportError(.output, "\(outDirectory): cannot create the report directory (\(error))")
        }
        var files: [String] = []
        for (name, text) in zip(fileNames, texts) + (extra?.files ?? []) + (robust?.files ?? []) {
            let path = outDirectory + "/" + name
            do { try AtomicFile.write(text, to: path) } catch { throw ReportError(.output, "cannot write the report: \(error)") }
            files.append(path)
        }
        return Result(
            grouped: grouped, markdown: markdown, files: files, warnings: warnings, fairness: extra?.analysis,
            robustness: robust?.analysis)
    }

    /// The group table with a line on how to read it, and the diverged runs.
    public static func markdown(_ grouped: GroupedRuns) -> String {
        var out = ResultsTable.groups(grouped).markdown()
        out +=
            "\nAccuracy on the test split in %: mean ± sample std (n − 1) over seeds; last = after the final epoch, "
            + BestSelection.note(grouped.bestSelection) + "\n"
        let mixed = RunGrouping.mixedSettings(grouped)
        if !mixed.isEmpty {
            out += "\nRows that average different settings, not seeds:\n" + mixed.map { "- \($0)\n" }.joined()
        }
        let diverged = grouped.groups.flatMap { g in g.diverged.map { (g.label, $0) } }
        if !diverged.isEmpty {
            out += "\nDiverged (not averaged):\n"
            for (label, r) in diverged {
                out +=
                    "- \(r.path) (\(label), seed \(r.seed.map(String.init) ?? "—")): \(r.summary["detail"]?.stringValue ?? "non-finite loss")\n"
            }
        }
        return out
    }
}
