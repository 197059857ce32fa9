// PipelineTraining: chains whole runs (born-again generations, teacher → assistant → student): each
// run trains in its own subdirectory, taught by the previous run (its last checkpoint, or its best on
// the validation split when one is held out), the configured teacher, or the labels alone; then the
// chosen runs are also evaluated as an ensemble (from the same checkpoints).

import Foundation
import KDMethods
import KDNN

/// Runs a pipeline method's plan.
final class PipelineTraining {
    let config: ExperimentConfig
    let data: ExperimentData
    let pipeline: PipelineMethod
    let methodName: String
    let dir: RunDirectory

    /// Refuses `cache_teacher` with augmentation before any run trains.
    init(config: ExperimentConfig, data: ExperimentData, pipeline: PipelineMethod, methodName: String) throws {
        (self.config, self.data, self.pipeline, self.methodName) = (config, data, pipeline, methodName)
        dir = RunDirectory(config.output.dir)
        try TeacherCaching.check(config.method?.params ?? ParamValues(), augmented: data.augmented)
    }

    func run(resume: Bool) throws -> JSONValue {
        guard let student = config.student else {
            throw ConfigError(source: config.source, path: "student", message: "required for distill")
        }
        let plan = try pipeline.plan(student: student, hasTeacher: config.teacher?.checkpoint != nil)
        try dir.create()
        try dir.write(config.resolvedJSON.formatted() + "\n", to: dir.configPath)
        var summaries: [JSONValue] = []
        for (i, step) in plan.enumerated() {
            let child = dir.child(step.name)
            if resume, let done = try? JSONValue(parsing: String(contentsOfFile: child.summaryPath, encoding: .utf8)),
                done["status"]?.stringValue == "completed"
            {
                ProgressDisplay.log("\(step.name): already completed, skipped")
                summaries.append(done)
                continue
            }
            ProgressDisplay.log("\(methodName) run \(i + 1)/\(plan.count): \(step.name) (\(step.model.name))")
            summaries.append(try runStep(step, into: child, resume: resume))
        }
        var summary = JSONObject()
        summary["name"] = .string(config.name)
        summary["status"] = "completed"
        summary["method"] = .string(methodName)
        summary["dataset"] = .string(data.dataset.rawValue)
        summary["test_acc"] = summaries.last?["test_acc"] ?? .null
        summary[BestSelection.summaryKey] = .string(BestSelection.split(data))
        summary["runs"] = .array(summaries)
        let ensembleNames = pipeline.ensembleRuns
        if ensembleNames.count > 1 {
            let models = try ensembleNames.map { name -> Model in
                let model = try Zoo.build(data.spec(student), seed: 0)
                try model.loadCheckpoint(path: BestSelection.checkpoint(of: dir.child(name), data: data))
                return model
            }
            let metrics = Evaluator.ensembleMetrics(models, data.test)
            summary["ensemble_test_acc"] = .number(metrics.top1)
            summary["ensemble_runs"] = .array(ensembleNames.map { .string($0) })
            ProgressDisplay.log(
                String(format: "ensemble of %@: test accuracy %.2f%%", ensembleNames.joined(separator: ", "), metrics.top1 * 100))
        }
        let value = JSONValue.object(summary)
        try dir.write(value.formatted() + "\n", to: dir.summaryPath)
        return value
    }

    /// One run of the plan, as a `kd` run (or label-only training when it has no teacher).
    func runStep(_ step: PipelineRun, into child: RunDirectory, resume: Bool) throws -> JSONValue {
        var sub = config
        sub.student = step.model
        sub.output.dir = child.path
        sub.name = config.name + "/" + step.name
        let model = try Zoo.build(
            data.spec(step.model), seed: UInt64(config.seed) &+ UInt64(step.name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        let learner = Learner(
            name: step.name, model: model, extras: [], optimizer: config.optimizer, schedule: config.schedule,
            seed: UInt64(config.seed) &+ 1)
        let teacherPath: String?
        switch step.teacher {
        case .configured: teacherPath = config.teacher?.checkpoint
        case .run(let name): teacherPath = BestSelection.checkpoint(of: dir.child(name), data: data)
        case .none: teacherPath = nil
        }
        guard let teacherPath else {
            sub.method = nil
            return try TrainingRun(
                config: sub, data: data, learner: learner, teachers: .none, method: LabelsOnly(),
                methodName: "labels", dir: child
            ).run(resume: resume)
        }
        if let labeling = step.selfTraining {
            return try SelfTraining.run(
                labeling, teacherPath: teacherPath, config: sub, data: data, learner: learner, dir: child, resume: resume)
        }
        let params = step.kdParams
        sub.method = MethodConfig(name: "kd", parts: ["kd"], params: params)
        let teachers = try Teachers.open([teacherPath], config: config, data: data)  // each run's teacher reads its own view
        let teacher = teachers.models[0]
        if step.sameArchitecture && teacher.spec.name != step.model.name {
            throw ConfigError(
                source: config.source, path: "teacher.checkpoint",
                message: "\(methodName) distils the student's own architecture \(step.model.name); \(teacherPath) is "
                    + "\(teacher.spec.name) (leave the teacher out to train one first)")
        }
        let setup = MethodSetup(
            student: model, teachers: [teacher], epochs: config.epochs, seed: UInt64(config.seed) &+ 7,
            augmented: data.augmented, trainingLabels: data.train.labels, labeledFraction: data.labeledFraction)
        let method = try MethodRegistry.buildSingle(parts: ["kd"], params: params, setup: setup)
        return try TrainingRun(
            config: sub, data: data, learner: learner, teachers: teachers, method: method,
            methodName: "kd", dir: child, cacheTeacher: TeacherCaching.requested(params)
        ).run(resume: resume)
    }
}
