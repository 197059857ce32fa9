// RealFashionMNISTTests: the real Fashion-MNIST from Debian's dataset-fashion-mnist package, when
// installed: counts, label range, the well-known normalisation, and the downloader's use of it.

import KDData
import XCTest

final class RealFashionMNISTTests: XCTestCase {
    private let system = DatasetLoader.debianFashionMNIST

    private func requireSystemCopy() throws {
        guard DatasetLoader.hasFiles(.fashionMNIST, directory: system) else {
            throw XCTSkip("\(system) not installed (apt-get install dataset-fashion-mnist)")
        }
    }

    func testLoadsCountsLabelsAndNormalization() throws {
        try requireSystemCopy()
        let train = try DatasetLoader.load(.fashionMNIST, directory: system, split: .train)
        let test = try DatasetLoader.load(.fashionMNIST, directory: system, split: .test)
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(train.imageShape, [1, 28, 28])
        XCTAssertTrue(train.labels.allSatisfy { $0 >= 0 && $0 < 10 })
        XCTAssertEqual(train.classCounts, [Int](repeating: 6000, count: 10))
        let norm = Normalization.fit(train)
        XCTAssertEqual(norm.mean[0], 0.286, accuracy: 0.001)
        XCTAssertEqual(norm.std[0], 0.353, accuracy: 0.001)
    }

    func testDownloaderUsesTheVerifiedSystemCopy() throws {
        try requireSystemCopy()
        let progress = RecordingProgress()
        let dir = NSTemporaryDirectory() + "kdistill-unused-\(UUID().uuidString)"
        let out = try DatasetDownloader.download(
            .fashionMNIST, into: dir, mirror: "http://127.0.0.1:9/",
            progress: progress)
        XCTAssertEqual(out, system)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "nothing downloaded")
        XCTAssertTrue(progress.events.first?.contains("content verified") ?? false)
        XCTAssertEqual(DatasetLoader.resolveDirectory(.fashionMNIST, requested: dir), system)
    }
}
