// RunLimit: what a study (`kdistill tune`, beyond.md 4.4) asks of one run: stop with some epochs left
// untrained, leaving a resumable state (not a finished run), and never evaluate the test set.

import KDJSON

/// A study's limits on one run.
public struct RunLimit: Equatable, Sendable {
    /// Epochs left untrained: the run stops after `totalEpochs − epochsLeft` epochs (0: runs to the end).
    public var epochsLeft: Int
    /// The test set is never evaluated: a finished run's summary.json holds validation figures only.
    public var validationOnly: Bool
    /// Validation figures measured on the network where the run stops (returned as `measures`).
    public var measures: [StudyMetric] = []

    /// Stop with `epochsLeft` epochs to go; `validationOnly` keeps the test set out.
    public init(epochsLeft: Int, validationOnly: Bool = true) {
        (self.epochsLeft, self.validationOnly) = (max(0, epochsLeft), validationOnly)
    }

    /// What `TrainingRun.run` returns for a run stopped early (no summary.json is written): `epoch` trained so
    /// far, `stop_epoch` the run's epoch (counting earlier stages) where the limit falls.
    static func paused(name: String, epoch: Int, stopEpoch: Int, measures: JSONValue? = nil) -> JSONValue {
        var o: JSONObject = ["name": .string(name), "status": "paused", "epoch": .int(epoch), "stop_epoch": .int(stopEpoch)]
        o["measures"] = measures
        return .object(o)
    }
}
