// BestSelection: which split chose a run's best checkpoint: summary.json's `best_selected_on`, or for
// runs written before it said so, the config (`data.validation` 0: no held-out images, so the test split).
// The report labels its best-epoch columns and notes with it, so a test-selected figure is never unmarked.

import KDJSON

/// The split that chose a best checkpoint.
public enum BestSelection: String, Sendable {
    /// Held-out training images (`data.validation` > 0): the best figure is an honest test score.
    case validation
    /// The test split itself: the best figure is optimistic.
    case test

    /// The selection of a set of runs: `test` when any run's best was chosen on test, `validation` when
    /// every run's was chosen on validation, nil when unknown for some run (and none is test-selected).
    public static func of(_ records: [RunRecord]) -> BestSelection? {
        let each = records.map(\.bestSelectedOn)
        if each.contains(.test) { return .test }
        return !each.isEmpty && each.allSatisfy({ $0 == .validation }) ? .validation : nil
    }

    /// The title of a best-epoch accuracy column over runs selected this way (nil: unknown).
    static func column(_ selection: BestSelection?) -> String {
        switch selection {
        case .test: return "best-epoch acc, test-selected (%)"
        case .validation: return "best-epoch acc, validation-selected (%)"
        case nil: return "best-epoch acc (%)"
        }
    }

    /// What "best" means in a report over runs selected this way (one sentence).
    static func note(_ selection: BestSelection?) -> String {
        switch selection {
        case .test:
            return "best = the best checkpoint, which for runs without a validation split (data.validation 0; "
                + "`test` under \"best selected on\") is the epoch with the highest test accuracy: chosen on the "
                + "test split itself, an optimistic figure (hold out images with data.validation to select on them)."
        case .validation:
            return "best = the checkpoint of the epoch with the highest validation accuracy (held-out training "
                + "images), scored on the test split."
        case nil:
            return "best = best checkpoint."
        }
    }
}

extension RunRecord {
    /// The split that chose this run's best checkpoint: summary `best_selected_on`, else (older runs)
    /// `test` when the config held out no validation images, `validation` when it did; nil when unknown.
    public var bestSelectedOn: BestSelection? {
        if let said = summary["best_selected_on"]?.stringValue { return BestSelection(rawValue: said) }
        guard let held = config["data"]?["validation"]?.intValue else { return nil }
        return held > 0 ? .validation : .test
    }
}

extension GroupedRuns {
    /// The selection over every run reported (completed and diverged).
    public var bestSelection: BestSelection? { BestSelection.of(groups.flatMap { $0.runs + $0.diverged }) }
}
