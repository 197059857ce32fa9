// RunSummary+Study: summary.json of a study's trial (beyond.md 4.5): the same keys as RunSummary.make
// without any test figure (the test set is for the final run only), with `test_evaluated: false`.

import Foundation
import KDJSON
import KDTensor

extension RunSummary {
    /// The validation-only summary of a finished trial run.
    static func validationOnly(recorder run: RunRecorder, totalEpochs: Int, wallTime: Double) -> JSONValue {
        let model = run.evaluated
        let lines = run.dir.readMetrics()
        let speeds = lines.compactMap { $0["images_per_s"]?.doubleValue }
        var s = JSONObject()
        s["name"] = .string(run.config.name)
        s["status"] = "completed"
        s["run"] = .string(run.learner.name)
        s["model"] = .string(model.spec.name)
        s["dataset"] = .string(run.data.dataset.rawValue)
        s["method"] = .string(run.methodName)
        if !run.teacherPaths.isEmpty { s["teachers"] = .array(run.teacherPaths.map { .string($0) }) }
        s["epochs"] = .int(totalEpochs)
        s["seed"] = .int(run.config.seed)
        s["threads"] = .int(Parallel.threads)
        let monitor = run.data.monitor.name
        if let last = lines.last(where: { $0["epoch"]?.intValue == totalEpochs })?[monitor] { s[monitor] = last }
        s["best_epoch"] = .int(run.state.bestEpoch)
        s[BestSelection.summaryKey] = .string(BestSelection.split(run.data))
        s["best_" + monitor] = .number(run.state.bestScore)
        s["test_evaluated"] = false
        s["parameters"] = .int(model.parameterCount)
        s["flops_per_image"] = .int(model.flopsPerImage)
        s["wall_time_s"] = .number((wallTime * 10).rounded() / 10)
        if !speeds.isEmpty { s["images_per_s"] = .number((speeds.reduce(0, +) / Double(speeds.count)).rounded()) }
        return .object(s)
    }
}
