// Schedulers: what a study does next (beyond.md 4.4, Li et al. 2020): finish a pending trial, promote one
// (ASHA's promotion rule, or synchronous successive halving at rung barriers), start a new trial, or stop.
// Pure functions of the study state, so the decisions are tested on made-up values.

/// `--scheduler`.
public enum SchedulerName: String, CaseIterable, Sendable {
    /// Asynchronous successive halving, promotion variant: trials pause at a rung and resume when promoted.
    case asha
    /// Synchronous successive halving: every trial to e_0, the top 1/η on to the next rung, and so on.
    case sha
    /// Plain random search: every trial to R.
    case none
}

/// The next step of a study.
public enum StudyJob: Equatable, Sendable {
    /// Train trial `trial` to its target rung (a new one, or one interrupted on the way).
    case resume(trial: Int)
    /// Promote `trial` to rung `rung` and train it there.
    case promote(trial: Int, rung: Int)
    /// Sample a new trial into rung 0.
    case newTrial
}

extension SchedulerName {
    /// The next job, or nil when there is none now (the study is over once nothing is `running` either).
    /// `running`: trials a worker is training (never handed out again). New trials stop after `trials` (not
    /// withdrawn) or once `budgetEpochs` epochs were trained; ties go to the lower trial number. `sha` promotes
    /// from rung k only once no trial is still on its way to rung k (the barrier).
    /// `costs`: static costs ranked beside the rung value (beyond.md 4.5): within a rung, trials sort by
    /// non-dominated front, then value, then number.
    public func next(
        _ state: StudyState, rungs: Rungs, eta: Int, trials: Int, budgetEpochs: Int? = nil, running: Set<Int> = [],
        costs: [String] = []
    ) -> StudyJob? {
        if let pending = state.trials.first(where: { $0.pending && !running.contains($0.number) }) {
            return .resume(trial: pending.number)
        }
        let canSample =
            state.trials.count(where: { !$0.withdrawn }) < trials && budgetEpochs.map { state.epochsTrained < $0 } ?? true
        switch self {
        case .asha:
            for k in stride(from: rungs.top - 1, through: 0, by: -1) {
                if let t = Self.promotable(state, rung: k, costs: costs, keep: { $0 / eta }) {
                    return .promote(trial: t, rung: k + 1)
                }
            }
            return canSample ? .newTrial : nil
        case .sha, .none:
            if canSample { return .newTrial }
            for k in 0..<rungs.top {
                if state.trials.contains(where: { $0.pending && $0.target <= k }) { return nil }
                if let t = Self.promotable(state, rung: k, costs: costs, keep: { max(1, $0 / eta) }) {
                    return .promote(trial: t, rung: k + 1)
                }
            }
            return nil
        }
    }

    /// The best trial among the top `keep(n)` of rung `k` (n trials have a value there) not yet promoted.
    static func promotable(_ state: StudyState, rung k: Int, costs: [String] = [], keep: (Int) -> Int) -> Int? {
        let members = state.trials.filter { $0.live && $0.values.count > k }
        let fronts =
            costs.isEmpty
            ? [Int](repeating: 0, count: members.count)
            : Pareto.fronts(members.map { t in [-t.values[k]] + costs.map { t.costs[$0] ?? .infinity } })
        let front = Dictionary(uniqueKeysWithValues: zip(members.map(\.number), fronts))
        let ranked = members.sorted { a, b in
            if front[a.number]! != front[b.number]! { return front[a.number]! < front[b.number]! }
            return a.values[k] != b.values[k] ? a.values[k] > b.values[k] : a.number < b.number
        }
        return ranked.prefix(keep(members.count)).first { !$0.failed && $0.target == k }?.number
    }
}
