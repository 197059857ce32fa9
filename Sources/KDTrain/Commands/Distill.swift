// Distill: `kdistill distill CONFIG [--method NAME]`: builds the teacher(s), the student and the
// method from the registry, and runs it: one student, a cohort (DML) or a pipeline of runs (BAN, TAKD).

import Foundation
import KDAdversarial
import KDData
import KDMethods
import KDNN

/// Distillation runs.
public enum Distill {
    /// Runs the config at `path` (method from `--method` if given); returns summary.json.
    public static func run(_ path: String, method: String?, overrides: [String], resume: Bool, threads: Int?) throws -> JSONValue
    {
        let config = try ConfigLoading.load(path, overrides: overrides, method: method, for: .distill)
        ConfigLoading.applyThreads(config, override: threads)
        return try run(config, resume: resume)
    }

    /// Runs a loaded, validated config; a `limit` (a study's trial) needs a single-student method.
    public static func run(_ config: ExperimentConfig, resume: Bool, limit: RunLimit? = nil) throws -> JSONValue {
        guard let methodConfig = config.method else {
            throw ConfigError(source: config.source, path: "method", message: "required for distill")
        }
        _ = try TeacherStore.fromEnvironment()  // a bad KDISTILL_CACHE_LIMIT fails here, before any work
        let data = try ExperimentData(
            config.data, seed: config.seed, batchSize: config.batchSize, evalBatchSize: config.evalBatchSize,
            normalization: try transferNormalization(config), loadTest: !(limit?.validationOnly ?? false))
        Interruption.install()
        let first = methodConfig.parts[0]
        guard let entry = MethodRegistry.entry(first) else { throw MethodError("method.name: unknown method '\(first)'") }
        switch entry.shape.resolved(methodConfig.params) {
        case .single:
            return try runSingle(config, data: data, method: methodConfig, entry: entry, resume: resume, limit: limit)
        case .cohort where limit == nil:
            let cohort = try MethodRegistry.buildCohort(
                name: methodConfig.name, params: methodConfig.params, student: config.student,
                hasTeacher: config.teacher?.checkpoint != nil)
            let teachers = try loadTeachers(config, data: data, entry: entry, params: methodConfig.params, required: false)
            let training = try CohortTraining(
                config: config, data: data, cohort: cohort, teachers: teachers, dir: RunDirectory(config.output.dir))
            ProgressDisplay.log(describe(methodConfig))
            return try training.run(resume: resume)
        case .pipeline where limit == nil:
            let pipeline = try MethodRegistry.buildPipeline(name: methodConfig.name, params: methodConfig.params)
            let training = try PipelineTraining(config: config, data: data, pipeline: pipeline, methodName: first)
            ProgressDisplay.log(describe(methodConfig))
            return try training.run(resume: resume)
        case .cohort, .pipeline:
            throw RunInputError(
                "method.name: \(methodConfig.name) trains several networks; a study trains single-student methods")
        case .variant(let key, _):
            throw MethodError("method.\(key): no variant of \(first) is named \(methodConfig.params[key]?.text ?? "absent")")
        }
    }

    /// One student trained by a single-student method (or combination).
    static func runSingle(
        _ config: ExperimentConfig, data: ExperimentData, method m: MethodConfig, entry: MethodEntry,
        resume: Bool, limit: RunLimit? = nil
    ) throws -> JSONValue {
        let teachers = try loadTeachers(config, data: data, entry: entry, params: m.params, required: entry.teacher == .required)
        guard let studentConfig = config.student else {
            throw ConfigError(source: config.source, path: "student", message: "required for distill")
        }
        let student = try Zoo.build(data.spec(studentConfig), seed: UInt64(config.seed))
        var setup = MethodSetup(
            student: student, teachers: teachers.models, epochs: config.epochs, seed: UInt64(config.seed) &+ 7,
            augmented: data.augmented, trainingLabels: data.train.labels, labeledFraction: data.labeledFraction)
        setup.trainingViews = data.trainingViews
        (setup.inputSpace, setup.trainingAttack) = (PixelSpace(data.normalization), data.trainingAttack)
        let adaptive = try ClassAdaptiveSetup.prepare(&setup, params: m.params, data: data, config: config, teachers: teachers)
        let method = try MethodRegistry.buildSingle(parts: m.parts, params: m.params, setup: setup)
        if method.teacherBatchStatistics { teachers.useBatchStatistics() }
        for line in [describe(m)] + adaptive.log { ProgressDisplay.log(line) }
        let learner = Learner(
            name: "student", model: student, extras: method.extraLayers, methodState: method.persistentState,
            optimizer: config.optimizer, schedule: config.schedule, seed: UInt64(config.seed) &+ 1,
            quantization: try quantization(m, student: student, method: method))
        let run = TrainingRun(
            config: config, data: data, learner: learner, teachers: teachers, method: method,
            methodName: m.name, dir: RunDirectory(config.output.dir), cacheTeacher: TeacherCaching.requested(m.params))
        run.recorder.summaryExtras = adaptive.summary
        run.limit = limit
        return try run.run(resume: resume)
    }

    /// The student's fake quantization under `method.quantize: int8` (nil: float). A method that evaluates another
    /// network than the student (mean-teacher's weight average) is refused: that network would stay float.
    static func quantization(_ m: MethodConfig, student: Model, method: DistillationMethod) throws -> FakeQuantization? {
        guard Quantization.mode(m.params) == .int8 else { return nil }
        if method.evaluatedModel != nil {
            throw MethodError(
                "method.quantize: \(m.name) evaluates and saves a weight average of the student, not the student "
                    + "trained with fake quantization; int8 quantization-aware training needs a method that evaluates the student"
            )
        }
        ProgressDisplay.log("quantize int8: fake-quantized weights and conv/linear inputs (straight-through estimator)")
        return try FakeQuantization.attach(to: student)
    }

    /// A transfer set is normalised as the teacher's inputs were (its checkpoint's statistics), never by its
    /// own; nil without a transfer set or a kdistill teacher checkpoint.
    static func transferNormalization(_ config: ExperimentConfig) throws -> Normalization? {
        guard config.data.transfer != nil, let path = config.teacher?.checkpoint,
            let n = try ModelCheckpoint(path: path).metadata.normalization
        else { return nil }
        return Normalization(mean: n.mean, std: n.std)
    }

    /// `method at+kd: beta 1000, ce_weight 0.1, ..., student_taps absent, ...`: every declared parameter
    /// with its resolved value (absent ones are chosen when the method is built; `kdistill methods`),
    /// logged once the method is built, before training starts.
    public static func describe(_ method: MethodConfig) -> String {
        let specs = (try? MethodRegistry.resolve(method.name).specs) ?? []
        let values = specs.map { spec in "\(spec.name) " + (method.params[spec.name]?.text ?? "absent") }
        return "method \(method.name): " + (values.isEmpty ? "no parameters" : values.joined(separator: ", "))
    }

    /// The teachers a method uses: its own checkpoint list (ensembles) or `teacher.checkpoint`.
    static func loadTeachers(
        _ config: ExperimentConfig, data: ExperimentData, entry: MethodEntry, params: ParamValues,
        required: Bool
    ) throws -> Teachers {
        let paths: [String]
        if let list = entry.teacherCheckpoints {
            paths = try list(params)
        } else {
            paths = config.teacher?.checkpoint.map { [$0] } ?? []
        }
        if paths.isEmpty {
            if required {
                throw ConfigError(source: config.source, path: "teacher.checkpoint", message: "required for \(entry.name)")
            }
            return .none
        }
        return try Teachers.open(paths, config: config, data: data)
    }
}
