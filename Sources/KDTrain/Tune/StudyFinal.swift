// StudyFinal: `--final` (beyond.md 4.7): the chosen trial's config retrained from scratch for R epochs in
// final/ as an ordinary run, the test set evaluated once; study.json then records `test_evaluated: true`,
// and another evaluation needs --force (logged as an event). A validation mismatch with the trial is a
// determinism warning.

import Foundation
import KDJSON

extension Study {
    /// Runs (or returns the already evaluated) final run of `best`; returns its summary.json.
    func runFinal(best: TrialState, force: Bool) throws -> JSONValue {
        guard case .object(var record)? = try files.readStudy() else { throw RunError("\(files.studyPath): missing") }
        let final = RunDirectory(files.finalDir)
        if record["test_evaluated"]?.boolValue == true && !force {
            guard let text = try? String(contentsOfFile: final.summaryPath, encoding: .utf8),
                let summary = try? JSONValue(parsing: text)
            else {
                throw RunInputError(
                    "\(files.studyPath): the test set was evaluated already but final/summary.json is gone; --force evaluates again"
                )
            }
            ProgressDisplay.log("final: the test set was evaluated already (final/summary.json); --force evaluates it again")
            return summary
        }
        let config = try builder.config(best.params, name: builder.baseName + "-final", dir: files.finalDir, label: "final")
        try files.append(["event": "final", "trial": .int(best.number), "forced": .bool(force)])
        ProgressDisplay.log("final: trial \(best.number) retrained for \(config.epochs) epochs, then the test set once")
        ConfigLoading.applyThreads(config, override: request.threads)
        let summary: JSONValue
        switch builder.command {
        case .distill: summary = try Distill.run(config, resume: !force)
        case .trainTeacher: summary = try TrainTeacher.run(config, resume: !force)
        }
        // Compared on val_acc after R epochs, whatever the objective was.
        let trialValue = RunDirectory(builder.runDirectory(best.number)).readMetrics().last?["val_acc"]?.doubleValue
        if let v = final.readMetrics().last?["val_acc"]?.doubleValue, let trialValue, v != trialValue {
            ProgressDisplay.log(
                String(
                    format: "final: determinism warning: val_acc %.4f%% here, %.4f%% in trial %d", v * 100, trialValue * 100,
                    best.number))
        }
        record["test_evaluated"] = true
        record["final_trial"] = .int(best.number)
        try files.write(JSONValue.object(record).formatted() + "\n", to: files.studyPath)
        return summary
    }
}
