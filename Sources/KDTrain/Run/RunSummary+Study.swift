// RunSummary+Study: summary.json of a study's trial (beyond.md 4.5): the same keys as RunSummary.make
// without any test figure (the test set is for the final run only), with `test_evaluated: false`.

import Foundation
import KDJSON

extension RunSummary {
    /// The validation-only summary of a finished trial run.
    static func validationOnly(recorder run: RunRecorder, totalEpochs: Int, wallTime: Double) -> JSONValue {
        var s = header(run, totalEpochs: totalEpochs)
        let monitor = run.data.monitor.name
        if let last = run.dir.readMetrics().last(where: { $0["epoch"]?.intValue == totalEpochs })?[monitor] { s[monitor] = last }
        addBest(run, to: &s)
        s["test_evaluated"] = false
        addCost(run, wallTime: wallTime, to: &s)
        return .object(s)
    }
}
