// Study: one study's inputs and steps: the base config and space checked before any training, study.json
// (refused when the base config, space or settings changed, unless --new-study), sampling with invalid
// draws replaced and duplicates recorded, and training a trial to its rung through the executor.

import Foundation
import KDJSON
import KDMethods
import KDNN

/// A study being run.
struct Study {
    let request: TuneRequest
    let settings: StudySettings
    let space: SearchSpace
    let base: ExperimentConfig
    let builder: TrialConfigBuilder
    let files: StudyFiles
    /// Static costs of trials' networks (those the objectives, constraints or selection name).
    let costs: TrialCosts

    /// Loads and checks everything a study needs; nothing is trained or written yet.
    init(_ request: TuneRequest) throws {
        self.request = request
        let context = ConfigLoading.context
        base = try ConfigLoading.load(request.config, for: nil)
        guard let command = base.impliedCommand else {
            throw ConfigError(
                source: request.config, message: "expected a model (train-teacher) or a student and method (distill)")
        }
        try base.validate(for: command, context: context)
        if base.data.validation <= 0 {
            throw ConfigError(
                source: request.config, path: "data.validation",
                message:
                    "expected > 0 for tune (trials are compared on validation; the test set is for the final run only), found 0")
        }
        space = try SearchSpace.load(request.space)
        settings = try StudySettings(request, block: space.tune, baseEpochs: base.epochs, spaceSource: space.source)
        let json: JSONValue
        do { json = try JSONValue(parsing: try String(contentsOfFile: request.config, encoding: .utf8)) } catch {
            throw ConfigError(source: request.config, message: "\(error)")
        }
        let dir = request.out ?? "runs/tune/" + base.name
        files = StudyFiles(dir: dir)
        costs = TrialCosts(needed: settings.objectives.measuredCosts, studyDir: dir)
        builder = TrialConfigBuilder(
            source: request.config, baseJSON: json, baseName: base.name, command: command, maxEpochs: settings.maxEpochs,
            studyDir: dir, context: context)
        try builder.check(space)
        try Self.requireTeacherFiles(base, space: space, source: request.config)
        if command == .distill, let method = base.method,
            space.params.allSatisfy({ $0.key != "method.name" && $0.key != "method" })
        {
            try Self.requireSingleStudent(method, source: request.config)
        }
    }

    /// The base config's teacher checkpoint and every listed `teacher.checkpoint` choice exist before any training.
    static func requireTeacherFiles(_ base: ExperimentConfig, space: SearchSpace, source: String) throws {
        var files: [(String, String, String)] = []  // (file, source, key)
        if let path = base.teacher?.checkpoint { files.append((path, source, "teacher.checkpoint")) }
        for param in space.params where param.key == "teacher" || param.key == "teacher.checkpoint" {
            if case .choice(let values) = param.distribution {
                files += values.compactMap { $0.stringValue }.map { ($0, space.source, "params." + param.key) }
            }
        }
        for (file, from, key) in files where !FileManager.default.fileExists(atPath: file) {
            throw ConfigError(source: from, path: key, message: "expected a teacher checkpoint file, found none at \(file)")
        }
    }

    /// Cohort and pipeline methods train several networks: not a trial (yet).
    static func requireSingleStudent(_ method: MethodConfig, source: String) throws {
        guard let entry = MethodRegistry.entry(method.parts[0]) else { return }
        if case .single = entry.shape.resolved(method.params) { return }
        throw ConfigError(
            source: source, path: "method.name", message: "expected a single-student method for tune, found \(method.name)")
    }

    /// Creates or reopens the study directory (recording how this invocation runs trials, `execution`);
    /// returns the state its events describe.
    func open(jobs: Int) throws -> StudyState {
        let execution: JSONValue = [
            "jobs": .int(jobs), "executor": .string(request.executor.rawValue),
            "deterministic": .bool(settings.deterministic(jobs: jobs)),
        ]
        try RunDirectory(files.dir).create()
        var record: JSONObject = [
            "format": "kdistill.study.v1", "base_config": .string(request.config),
            "base_hash": .string(StudyFiles.hash(base.resolvedJSON)), "space_file": .string(request.space),
            "space_hash": .string(StudyFiles.hash(space.json)), "settings": settings.json, "test_evaluated": false,
        ]
        record["space"] = space.json
        record["execution"] = execution
        if case .object(var existing)? = try files.readStudy(), !request.newStudy {
            for (key, what) in [
                ("base_hash", "another base config"), ("space_hash", "another search space"), ("settings", "other settings"),
            ]
            where existing[key] != record[key] {
                throw RunInputError(
                    "\(files.studyPath): this study was started with \(what); rerun with --new-study to replace it, "
                        + "or choose another --out")
            }
            existing["execution"] = execution
            try files.write(JSONValue.object(existing).formatted() + "\n", to: files.studyPath)
            return try StudyState(replaying: files.readEvents(), rungs: settings.rungs, source: files.eventsPath)
        }
        try files.removeStudy()
        try files.write(JSONValue.object(record).formatted() + "\n", to: files.studyPath)
        return StudyState()
    }

    /// Appends `event` (synced) and applies it to `state`.
    func record(_ event: JSONObject, _ state: inout StudyState) throws {
        try files.append(event)
        try state.apply(.object(event), rungs: settings.rungs)
    }

    /// Why a draw cannot become a trial: its config does not build, or its costs break a constraint.
    struct InadmissibleDraw: Error { let message: String }

    /// The config of `values` for trial `trial` and its measured costs, or why the draw is not admissible.
    func admissible(trial: Int, values: JSONObject) throws -> Result<(ExperimentConfig, [String: Double]), InadmissibleDraw> {
        let config: ExperimentConfig
        do { config = try builder.config(trial: trial, values: values) } catch {
            return .failure(InadmissibleDraw(message: "\(error)"))
        }
        let measured = try costs.costs(config)
        if let broken = settings.objectives.broken(measured) {
            return .failure(InadmissibleDraw(message: "constraint broken: \(broken)"))
        }
        return .success((config, measured))
    }

    /// Samples trial `state.trials.count`: invalid draws are recorded and replaced (100 in a row: an error),
    /// an exact duplicate of an earlier trial is recorded and not trained.
    func sample(into state: inout StudyState) throws {
        let i = state.trials.count
        var rng = SpaceSampler.generator(seed: settings.seed, trial: i)
        var last = ""
        for draw in 0..<100 {
            let values = SpaceSampler.draw(space, rng: &rng)
            if state.invalidBuilds[i]?.contains(draw) == true { continue }  // recorded already
            let config: ExperimentConfig, measured: [String: Double]
            switch try admissible(trial: i, values: values) {
            case .success(let built): (config, measured) = built
            case .failure(let reason):
                last = reason.message
                try record(
                    [
                        "event": "invalid", "trial": .int(i), "draw": .int(draw), "params": .object(values),
                        "reason": .string(last),
                    ], &state)
                continue
            }
            let identity = TrialConfigBuilder.identity(config)
            let earlier = state.trials.first { t in
                t.live && (try? builder.config(trial: t.number, values: t.params)).map(TrialConfigBuilder.identity) == identity
            }
            var event: JSONObject = [
                "event": earlier == nil ? "created" : "duplicate", "trial": .int(i), "draw": .int(draw),
                "params": .object(values),
            ]
            if !measured.isEmpty {
                var o = JSONObject()
                for m in settings.objectives.measuredCosts { o[m.rawValue] = measured[m.rawValue].map(JSONValue.number) }
                event["costs"] = .object(o)
            }
            if let earlier {
                event["of"] = .int(earlier.number)
                ProgressDisplay.log("trial \(i): same config as trial \(earlier.number), not trained again")
            }
            try record(event, &state)
            return
        }
        if last.isEmpty { last = state.lastInvalid ?? "see events.jsonl" }
        throw ConfigError(
            source: space.source, message: "100 draws in a row gave invalid configs for trial \(i); the last: \(last)")
    }

    /// The step that trains `trial` to its target rung; writes the trial's config (trials/NNNN.json) for the worker.
    func prepare(_ trial: TrialState) throws -> TrialStep {
        let step = TrialStep(trial: trial.number, rung: trial.target, epochs: settings.rungs.epochs[trial.target])
        let config = try builder.config(trial: trial.number, values: trial.params)
        try RunDirectory(files.trialsDir).create()
        try files.write(config.resolvedJSON.formatted() + "\n", to: files.trialConfigPath(trial.number))
        let shown = trial.params.map { "\($0.key) \($0.value.formatted(.compact))" }.joined(separator: ", ")
        ProgressDisplay.log(
            "trial \(trial.number) to \(step.epochs) of \(settings.maxEpochs) epochs (rung \(step.rung)): \(shown)")
        return step
    }

    /// Records how `step` ended: its rung value (and completion at the top rung), a failure, or an invalid
    /// build (the trial withdrawn, its run directory removed).
    func finish(_ step: TrialStep, _ outcome: StepOutcome, _ state: inout StudyState) throws {
        let trial = step.trial
        switch outcome {
        case .value(let v):
            try record(
                [
                    "event": "rung", "trial": .int(trial), "rung": .int(step.rung), "epochs": .int(step.epochs),
                    "value": .number(v),
                ],
                &state)
            ProgressDisplay.log(
                String(
                    format: "trial %d: %@ %.2f%% after %d epochs", trial, settings.objectives.metric.rawValue, v * 100,
                    step.epochs))
            if step.rung == settings.rungs.top {
                try record(["event": "completed", "trial": .int(trial), "value": .number(v)], &state)
            }
        case .failed(let reason):
            try record(["event": "failed", "trial": .int(trial), "rung": .int(step.rung), "reason": .string(reason)], &state)
            ProgressDisplay.log("trial \(trial): failed (\(reason))")
        case .invalid(let reason):
            guard state.trials[trial].values.isEmpty else {
                throw RunError(
                    "trial \(trial): its config no longer builds after \(state.trials[trial].values.count) rungs: \(reason)")
            }
            try record(
                [
                    "event": "invalid", "trial": .int(trial), "draw": .int(state.trials[trial].draw), "stage": "build",
                    "reason": .string(reason),
                ], &state)
            try? FileManager.default.removeItem(atPath: files.trialRunDir(trial))
            try? FileManager.default.removeItem(atPath: files.trialConfigPath(trial))
            ProgressDisplay.log("trial \(trial): invalid (\(reason)); drawn again")
        }
    }

    /// leaderboard.json|csv|md, the drawings, index.html and best.json; returns the chosen trial.
    @discardableResult
    func writeOutputs(_ state: StudyState) throws -> TrialState? {
        try StudyOutputs.write(
            state, settings: settings, files: files, builder: builder, keys: space.params.map(\.key), pick: request.pick)
    }
}
