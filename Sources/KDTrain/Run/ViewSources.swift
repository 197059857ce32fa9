// ViewSources: the run's samples as chosen on data's own files (validation hold-out, limit, imbalance,
// labels) and, for any DataView, the same samples in the same order as that view reads them: the student's
// view (its training loader) and each teacher's (TeacherInputs), with the view's own normalisation.

import KDData

/// One view of the run's samples: the training images (in the order of the run's), validation and test.
struct ViewImages {
    let train: ImageDataset
    let validation: ImageDataset?
    let test: ImageDataset
    /// Fitted on the view of every training image the normalisation is fitted on (identity when `normalize` is off).
    let normalization: Normalization
    var inputShape: [Int] { train.imageShape }
}

/// What building any view of the run's samples needs; views of whole files are kept once read.
final class ViewSources {
    /// Data's whole split files as read (the test file empty when the run does not read it).
    let trainFile: ImageDataset, testFile: ImageDataset
    let testLoaded: Bool
    /// Data's own images of the run: the training images, those the normalisation is fitted on, validation and test.
    let original: ViewImages
    let normalizationImages: ImageDataset
    let normalize: Bool
    private var files: [(view: DataView, train: ImageDataset, test: ImageDataset)] = []
    private var views: [(view: DataView, images: ViewImages)] = []

    init(
        trainFile: ImageDataset, testFile: ImageDataset, testLoaded: Bool, original: ViewImages,
        normalizationImages: ImageDataset,
        normalize: Bool
    ) {
        (self.trainFile, self.testFile, self.testLoaded, self.original) = (trainFile, testFile, testLoaded, original)
        (self.normalizationImages, self.normalize) = (normalizationImages, normalize)
    }

    /// The run's samples as `view` reads them (data's own for `.original`).
    func images(_ view: DataView) throws -> ViewImages {
        if view.isOriginal { return original }
        if let kept = views.first(where: { $0.view == view }) { return kept.images }
        let (train, test) = try wholeFiles(view)
        let matched = ViewImages(
            train: DataView.matching(original.train, in: train),
            validation: original.validation.map { DataView.matching($0, in: train) },
            test: DataView.matching(original.test, in: test),
            normalization: normalize
                ? Normalization.fit(DataView.matching(normalizationImages, in: train)) : .identity(channels: train.channels))
        views.append((view, matched))
        return matched
    }

    /// `view`'s copies of data's two whole files (the test one empty when the run does not read it).
    private func wholeFiles(_ view: DataView) throws -> (ImageDataset, ImageDataset) {
        if let kept = files.first(where: { $0.view == view }) { return (kept.train, kept.test) }
        let train = try view.images(of: trainFile, split: .train)
        let test = testLoaded ? try view.images(of: testFile, split: .test) : train.subset(indices: [])
        guard test.imageShape == train.imageShape else {
            throw RunInputError(
                "data.student_data: expected test images shaped as the training images \(train.imageShape) "
                    + "(\(train.source)), found \(test.imageShape) in \(test.source)")
        }
        files.append((view, train, test))
        return (train, test)
    }
}

/// The loaders of a network that reads another view than the run's own batches (a teacher of data's
/// images beside a student of a thumbnail): the same samples at the same positions.
public final class TeacherInputs {
    /// What the network reads.
    public let view: DataView
    /// Training images at the positions of the run's training loader (never shuffled: read by index).
    public let train: BatchLoader
    public let validation: BatchLoader?
    public let test: BatchLoader
    /// `[C, H, W]`.
    public var inputShape: [Int] { [train.channels, train.height, train.width] }

    init(_ view: DataView, images: ViewImages, batchSize: Int, evalBatchSize: Int) throws {
        self.view = view
        train = try BatchLoader(dataset: images.train, normalization: images.normalization, batchSize: batchSize, shuffle: false)
        validation = try images.validation.map {
            try BatchLoader(dataset: $0, normalization: images.normalization, batchSize: evalBatchSize, shuffle: false)
        }
        test = try BatchLoader(
            dataset: images.test, normalization: images.normalization, batchSize: evalBatchSize, shuffle: false)
    }
}
