// StudyState: a study rebuilt from its events (beyond.md 4.6): each trial's sampled values, the rung it is
// training towards, its value at each rung reached, and whether it failed or repeats an earlier trial.

import KDJSON

/// One trial as the events tell it.
public struct TrialState: Equatable, Sendable {
    public var number: Int
    /// The sampled keys and values.
    public var params: JSONObject
    /// The earlier trial with the same resolved config (not trained again).
    public var duplicateOf: Int?
    /// The rung the trial trains towards (0 when created, k+1 once promoted from k).
    public var target = 0
    /// Its value at rungs 0, 1, ... reached (−∞ at the rung where it failed).
    public var values: [Double] = []
    /// Its loss went non-finite.
    public var failed = false
    /// Which draw of its generator it took (earlier ones were invalid).
    public var draw = 0
    /// Its networks or method could not be built, found while later trials ran (`-j N`): withdrawn, its
    /// number not reused.
    public var withdrawn = false
    /// Static costs of its network (params, flops, latency_ms) when the study needs them.
    public var costs: [String: Double] = [:]

    public init(number: Int, params: JSONObject, duplicateOf: Int? = nil) {
        (self.number, self.params, self.duplicateOf) = (number, params, duplicateOf)
    }

    /// Trained towards a rung it has not reached yet (interrupted, or about to run).
    public var pending: Bool { live && !failed && values.count <= target }
    /// Takes part in the rungs (not a duplicate, not withdrawn).
    public var live: Bool { duplicateOf == nil && !withdrawn }
}

/// All trials of a study.
public struct StudyState: Equatable, Sendable {
    public var trials: [TrialState] = []
    /// Epochs trained in all (rung e_k minus the epochs already trained before each step).
    public var epochsTrained = 0
    /// Draws of trial i found invalid only when their networks were built (skipped when trial i is drawn again).
    public var invalidBuilds: [Int: Set<Int>] = [:]
    /// The reason of the latest invalid draw.
    public var lastInvalid: String?

    public init() {}

    /// The state after `events` in order, for rungs `rungs`; an event naming an unknown trial is an error.
    public init(replaying events: [JSONValue], rungs: Rungs, source: String) throws {
        for (n, event) in events.enumerated() { try apply(event, rungs: rungs, at: "\(source):\(n + 1)") }
    }

    /// Applies one event.
    public mutating func apply(_ event: JSONValue, rungs: Rungs, at: String = "") throws {
        let kind = event["event"]?.stringValue ?? ""
        let number = event["trial"]?.intValue
        func trial() throws -> Int {
            guard let number, trials.indices.contains(number) else {
                throw RunError("\(at): event \(kind) names trial \(number.map(String.init) ?? "none"), which was not created")
            }
            return number
        }
        switch kind {
        case "created", "duplicate":
            guard number == trials.count else {
                throw RunError("\(at): expected trial \(trials.count) next, found \(number.map(String.init) ?? "none")")
            }
            var t = TrialState(
                number: trials.count, params: event["params"]?.objectValue ?? JSONObject(), duplicateOf: event["of"]?.intValue)
            t.draw = event["draw"]?.intValue ?? 0
            for (name, value) in event["costs"]?.objectValue ?? JSONObject() { t.costs[name] = value.doubleValue }
            trials.append(t)
        case "invalid" where event["stage"]?.stringValue == "build":
            // The trial's networks or method could not be built: the last trial is drawn again (its number
            // reused, so -j 1 is reproducible); an earlier one (later trials started meanwhile) is withdrawn.
            let i = try trial()
            guard trials[i].values.isEmpty else {
                throw RunError("\(at): an invalid build withdraws a trial before its first rung, found trial \(i) with values")
            }
            if i == trials.count - 1 {
                invalidBuilds[i, default: []].insert(trials[i].draw)
                trials.removeLast()
            } else {
                trials[i].withdrawn = true
            }
            lastInvalid = event["reason"]?.stringValue
        case "promoted":
            let i = try trial()
            trials[i].target = event["rung"]?.intValue ?? trials[i].target + 1
        case "rung":
            let i = try trial()
            let k = event["rung"]?.intValue ?? trials[i].values.count
            if k == trials[i].values.count {
                let before = k == 0 ? 0 : rungs.epochs[min(k - 1, rungs.top)]
                epochsTrained += rungs.epochs[min(k, rungs.top)] - before
                trials[i].values.append(event["value"]?.doubleValue ?? -.infinity)
            }
        case "failed":
            let i = try trial()
            trials[i].failed = true
            if trials[i].values.count <= trials[i].target { trials[i].values.append(-.infinity) }
        default:
            break  // invalid, completed, final, ...: recorded, not state
        }
    }
}
