// RunSummary: summary.json of a finished run: final and best accuracy (with the epoch of the best and
// the split that chose it), full test metrics of both, size and cost of the network, wall time, the
// teacher's figures, and per-class fairness figures (RunSummary+Fairness).

import Foundation
import KDData
import KDMethods
import KDNN
import KDTensor

/// Builds summary.json.
enum RunSummary {
    /// `teacherLogits`: the first teacher's cached test logits per batch, when cached; `teacherTest`: the test
    /// split as the first teacher reads it when that is another view.
    static func make(
        recorder run: RunRecorder, totalEpochs: Int, teachers: [Model], teacherLogits: ((Batch) -> Tensor?)? = nil,
        teacherTest: BatchLoader? = nil, wallTime: Double
    ) throws -> JSONValue {
        let model = run.evaluated
        let bestEpoch = run.state.bestEpoch
        let final = Evaluator.metrics(model, run.data.test)
        var best = final
        if bestEpoch > 0 && bestEpoch != totalEpochs, FileManager.default.fileExists(atPath: run.dir.bestPath) {
            let spec = model.spec
            let bestModel = try Zoo.build(spec, seed: 0)
            let file = try bestModel.loadCheckpoint(path: run.dir.bestPath)
            try FakeQuantization.attachIfQuantized(to: bestModel, metadata: file.metadata, source: run.dir.bestPath)
            best = Evaluator.metrics(bestModel, run.data.test)
        }
        var s = header(run, totalEpochs: totalEpochs)
        s["test_acc"] = .number(final.top1)
        s["test_top5"] = .number(final.top5)
        s["test_nll"] = .number(final.nll)
        s["test_ece"] = .number(final.ece)
        if run.studentApart { s["student_test_acc"] = .number(Evaluator.metrics(run.learner.model, run.data.test).top1) }
        addBest(run, to: &s)
        s["best_test_acc"] = .number(best.top1)
        addCost(run, wallTime: wallTime, to: &s)
        var teacherMetrics: ClassificationMetrics?
        if let teacher = teachers.first {
            let cmp = Evaluator.compare(
                student: model, teacher: teacher, run.data.test, teacherLogits: teacherLogits, teacherLoader: teacherTest)
            s["teacher_test_acc"] = .number(cmp.teacher?.top1 ?? 0)
            s["agreement"] = .number(cmp.agreement ?? 0)
            s["teacher_parameters"] = .int(teacher.parameterCount)
            teacherMetrics = cmp.teacher
        }
        addFairness(final: final, teacher: teacherMetrics, model: model, data: run.data, to: &s)
        for (key, value) in run.summaryExtras { s[key] = value }
        return .object(s)
    }

    /// What every summary starts with: the run, its network, data, method, teachers, epochs, seed and threads.
    static func header(_ run: RunRecorder, totalEpochs: Int) -> JSONObject {
        var s = JSONObject()
        s["name"] = .string(run.config.name)
        s["status"] = "completed"
        s["run"] = .string(run.learner.name)
        s["model"] = .string(run.evaluated.spec.name)
        s["dataset"] = .string(run.data.dataset.rawValue)
        s["train_class_counts"] = .array(run.data.trainClassCounts.map(JSONValue.int))
        s["method"] = .string(run.methodName)
        s["quantize"] = .string((run.learner.quantization == nil ? QuantizeMode.none : .int8).rawValue)
        if !run.teacherPaths.isEmpty { s["teachers"] = .array(run.teacherPaths.map { .string($0) }) }
        s["epochs"] = .int(totalEpochs)
        s["seed"] = .int(run.config.seed)
        s["threads"] = .int(Parallel.threads)
        return s
    }

    /// The best epoch, the split that chose it and its score there.
    static func addBest(_ run: RunRecorder, to s: inout JSONObject) {
        s["best_epoch"] = .int(run.state.bestEpoch)
        s[BestSelection.summaryKey] = .string(BestSelection.split(run.data))
        s["best_" + run.data.monitor.name] = .number(run.state.bestScore)
    }

    /// The network's size and cost, the wall time and the mean training speed.
    static func addCost(_ run: RunRecorder, wallTime: Double, to s: inout JSONObject) {
        let speeds = run.dir.readMetrics().compactMap { $0["images_per_s"]?.doubleValue }
        s["parameters"] = .int(run.evaluated.parameterCount)
        s["flops_per_image"] = .int(run.evaluated.flopsPerImage)
        s["wall_time_s"] = .number((wallTime * 10).rounded() / 10)
        if !speeds.isEmpty { s["images_per_s"] = .number((speeds.reduce(0, +) / Double(speeds.count)).rounded()) }
    }
}
