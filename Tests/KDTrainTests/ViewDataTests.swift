// ViewDataTests: ExperimentData under `data.student_view` / `student_data` on tiny MNIST-format files:
// the samples are chosen on data's own files (validation, limit, labels), the student's loaders read them
// through its view and a teacher's loaders through its own, position for position, each view normalised
// with its own training statistics.

import Foundation
import KDData
import KDTrain
import TestSupport
import XCTest

final class ViewDataTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = TinyDatasetFiles.temporaryDirectory("views")
        try TinyDatasetFiles.writeMNIST(directory: dir, trainCount: 300, testCount: 60, gzip: false)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func config(_ data: String) throws -> DataConfig {
        try ConfigFixtures.decode(
            #"{"data": {"dataset": "mnist", "dir": "\#(dir)", "validation": 40, "limit": 150, "test_limit": 30, \#(data)}, "model": "mlp-10"}"#
        ).data
    }

    /// The raw file of `split`, as read.
    func file(_ split: Split) throws -> ImageDataset { try DatasetLoader.load(.mnist, directory: dir, split: split) }

    /// The bytes a loader's floats `[C, H, W]` of position `k` stand for (undoing its normalisation).
    func bytes(_ loader: BatchLoader, _ k: Int) -> [UInt8] {
        let size = loader.channels * loader.height * loader.width, plane = loader.height * loader.width
        return loader.withImages { x in
            (0..<size).map { i in
                let c = i / plane
                let v =
                    (Double(x[k * size + i]) * Double(loader.normalization.std[c]) + Double(loader.normalization.mean[c])) * 255
                return UInt8(v.rounded())
            }
        }
    }

    func testTheStudentsViewAndTheTeachersImagesAreTheSameSamplesInTheSameOrder() throws {
        let view = ImageView([.downsample(height: 14, width: 14), .noise(sigma: 0.2, seed: 5)])
        let data = try ExperimentData(
            try config(#""student_view": [{"downsample": [14, 14]}, {"noise": 0.2, "seed": 5}], "labeled": 60"#), seed: 3,
            batchSize: 16, evalBatchSize: 25)
        XCTAssertEqual(data.inputShape, [1, 14, 14])
        XCTAssertEqual(data.view, DataView(transforms: view))
        let teacher = try XCTUnwrap(try data.teacherInputs(for: .original))
        XCTAssertNil(try data.teacherInputs(for: data.view), "a network of the student's own view reads the batches")
        XCTAssertTrue(try data.teacherInputs(for: .original) === teacher, "built once")
        XCTAssertEqual(teacher.inputShape, [1, 28, 28])
        let (train, test) = (try file(.train), try file(.test))
        let viewedTrain = try view.apply(train, context: "v"), viewedTest = try view.apply(test, context: "v")
        for (student, teacherLoader, images, file, viewed) in [
            (data.train, teacher.train, data.trainImages, train, viewedTrain),
            (
                try XCTUnwrap(data.validation), try XCTUnwrap(teacher.validation), try XCTUnwrap(data.validationImages), train,
                viewedTrain
            ),
            (data.test, teacher.test, data.testImages, test, viewedTest),
        ] {
            XCTAssertEqual(student.count, teacherLoader.count)
            for k in [0, 1, student.count / 2, student.count - 1] {
                let origin = images.origin(of: k)
                let image = Array(viewed.pixels[origin * 196..<(origin + 1) * 196])
                XCTAssertEqual(Array(images.pixels[k * 196..<(k + 1) * 196]), image, "position \(k): the view of image \(origin)")
                XCTAssertEqual(bytes(student, k), image, "the student's loader at \(k)")
                XCTAssertEqual(
                    bytes(teacherLoader, k), Array(file.pixels[origin * 784..<(origin + 1) * 784]), "the teacher's at \(k)")
                XCTAssertEqual(images.labels[k], file.labels[origin])
            }
        }
        // Labels hidden by data.labeled stay hidden; the split, limit and labels are those of the same config without a view.
        let plain = try ExperimentData(try config(#""labeled": 60"#), seed: 3, batchSize: 16, evalBatchSize: 25)
        XCTAssertEqual(data.train.labels, plain.train.labels)
        XCTAssertEqual(
            (0..<data.trainImages.count).map(data.trainImages.origin(of:)),
            (0..<plain.trainImages.count).map(plain.trainImages.origin(of:)))
        XCTAssertEqual(teacher.train.normalization, plain.normalization, "the teacher's images are normalised as without a view")
        XCTAssertEqual(
            data.normalization, Normalization.fit(try view.apply(plain.trainImages, context: "v")), "the view's own statistics")
        // Batches: the teacher reads the student's batch positions.
        let batch = data.train.batch(epoch: 1, index: 2)
        XCTAssertEqual(
            bytes(teacher.train, batch.indices[0]),
            Array(
                train.pixels[
                    data.trainImages.origin(of: batch.indices[0]) * 784..<(data.trainImages.origin(of: batch.indices[0]) + 1)
                        * 784]))
    }

    func testPairedFilesReplaceDataImagesSampleForSample() throws {
        // The paired set: each image a 7x7 of value (its index mod 250), labels as data's.
        let (train, test) = (try file(.train), try file(.test))
        for (name, f) in [("p-train", train), ("p-test", test)] {
            let pixels = (0..<f.count).flatMap { [UInt8](repeating: UInt8($0 % 250), count: 49) }
            try TinyDatasetFiles.write(
                TinyDatasetFiles.idxImages(count: f.count, height: 7, width: 7, pixels: pixels), to: "\(dir)/\(name)")
            try TinyDatasetFiles.write(TinyDatasetFiles.idxLabels(f.labels.map { UInt8($0) }), to: "\(dir)/\(name)-labels")
        }
        let data = try ExperimentData(
            try config(
                #""student_data": {"format": "idx", "dir": "\#(dir)", "train": "p-train", "test": "p-test", "train_labels": "p-train-labels", "test_labels": "p-test-labels"}"#
            ), seed: 0, batchSize: 16, evalBatchSize: 25)
        XCTAssertEqual(data.inputShape, [1, 7, 7])
        for (images, count) in [(data.trainImages, 150), (try XCTUnwrap(data.validationImages), 40), (data.testImages, 30)] {
            XCTAssertEqual(images.count, count)
            for k in 0..<images.count { XCTAssertEqual(images.pixels[k * 49], UInt8(images.origin(of: k) % 250)) }
        }
        XCTAssertEqual(try XCTUnwrap(try data.teacherInputs(for: .original)).inputShape, [1, 28, 28])

        // Labels that disagree: an error naming both files, before any training.
        var labels = test.labels.map { UInt8($0) }
        labels[7] = (labels[7] + 1) % 10
        try TinyDatasetFiles.write(TinyDatasetFiles.idxLabels(labels), to: "\(dir)/p-test-labels")
        XCTAssertThrowsError(
            try ExperimentData(
                try config(
                    #""student_data": {"format": "idx", "dir": "\#(dir)", "train": "p-train", "test": "p-test", "test_labels": "p-test-labels"}"#
                ), seed: 0, batchSize: 16, evalBatchSize: 25)
        ) { error in
            XCTAssertTrue(
                "\(error)".hasPrefix("\(self.dir)/p-test-labels: expected the labels of \(self.dir)/t10k-images-idx3-ubyte"),
                "\(error)")
            XCTAssertTrue("\(error)".contains("at index 7"), "\(error)")
        }
    }
}
