// BestSelection: which split chose a run's `best` checkpoint (the validation split when one is held
// out, else the test set), and the checkpoint a later step may learn from: never one chosen on test.

/// The one rule for what `best` means and which checkpoint the next step of a pipeline takes.
enum BestSelection {
    /// summary.json's key naming the split that selected `best`.
    static let summaryKey = "best_selected_on"

    /// `validation` when `data` holds out a validation split, else `test`.
    static func split(_ data: ExperimentData) -> String { data.validation == nil ? "test" : "validation" }

    /// The checkpoint of the finished run in `dir` that a next step (a later generation, the student of
    /// an assistant, an ensemble evaluation) uses: its best on the validation split when one is held
    /// out, else its last, so no training decision depends on the test set.
    static func checkpoint(of dir: RunDirectory, data: ExperimentData) -> String {
        data.validation == nil ? dir.latestPath : dir.bestPath
    }
}
