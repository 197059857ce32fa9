// Evaluate+Views: what `kdistill eval` needs to evaluate a network trained on a view (beyond.md §5.1):
// the evaluated samples as that view reads them, and, for a checkpoint without statistics, the view's
// own normalisation fitted on the training file.

import KDData

/// The split `kdistill eval` reads, and the views of it the student and the teacher need.
struct EvalSource {
    let dataset: DatasetName
    let directory: String
    let labels: CIFAR100Labels
    let split: Split
    /// The whole split file as read.
    let file: ImageDataset

    /// `sample` (images of `file`, in their order) as `view` reads them: the same positions of its copy of the file.
    func viewed(_ sample: ImageDataset, _ view: DataView) throws -> ImageDataset {
        view.isOriginal ? sample : DataView.matching(sample, in: try view.images(of: file, split: split))
    }

    /// The statistics kdistill would have fitted: the view of the whole training file (for a checkpoint without them).
    func fittedNormalization(_ view: DataView) throws -> Normalization {
        let train = try DatasetLoader.load(dataset, directory: directory, split: .train, cifar100Labels: labels)
        return Normalization.fit(try view.images(of: train, split: .train))
    }
}
