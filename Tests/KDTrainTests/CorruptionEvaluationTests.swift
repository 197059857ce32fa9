// CorruptionEvaluationTests: a lenet5 on a handful of images under two corruptions at two severities
// (each accuracy equals evaluating the corrupted set directly), the summary arithmetic (A_c, mCA, rCA,
// CE_c, mCE, relative mCE) against hand values, JSON both ways, and mismatched baselines.

import KDData
import KDNN
import KDTrain
import TestSupport
import XCTest

final class CorruptionEvaluationTests: XCTestCase {
    func testEveryPairIsTheAccuracyOnTheCorruptedSet() throws {
        let size = 28 * 28
        let images = try ImageDataset(
            pixels: (0..<12 * size).map { TinyDatasetFiles.pixel(image: $0 / size, byte: $0 % size) },
            labels: (0..<12).map { Int32($0 % 10) }, channels: 1, height: 28, width: 28, numClasses: 10)
        let model = try Zoo.build(ModelSpec(name: "lenet5", inputShape: [1, 28, 28], numClasses: 10), seed: 1)
        let norm = Normalization(mean: [0.3], std: [0.3])
        var heard: [String] = []
        let r = try CorruptionEvaluation.run(
            model: model, normalization: norm, images: images, corruptions: [.contrast, .shotNoise], severities: [1, 4],
            table: .mnistC, seed: 5, batchSize: 5, progress: { heard.append("\($0.rawValue)/\($1)") })
        XCTAssertEqual(heard, ["contrast/1", "contrast/4", "shot_noise/1", "shot_noise/4"])
        func accuracy(_ d: ImageDataset) throws -> Double {
            Evaluator.accuracy(model, try BatchLoader(dataset: d, normalization: norm, batchSize: 12, shuffle: false))
        }
        XCTAssertEqual(r.clean, try accuracy(images))
        for c in [Corruption.contrast, .shotNoise] {
            for s in [1, 4] {
                XCTAssertEqual(
                    r.accuracy(c, severity: s), try accuracy(images.corrupted(c, severity: s, table: .mnistC, seed: 5)),
                    "\(c.rawValue)/\(s)")
            }
        }
        XCTAssertNil(r.accuracy(.contrast, severity: 2))
        XCTAssertEqual(r.table, .mnistC)
        XCTAssertEqual([r.seed, r.images], [5, 12])
        XCTAssertEqual(r.severities, [1, 4])

        let wrong = try Zoo.build(ModelSpec(name: "lenet5", inputShape: [1, 28, 28], numClasses: 5), seed: 1)
        XCTAssertThrowsError(try CorruptionEvaluation.run(model: wrong, normalization: norm, images: images, table: .mnistC)) {
            XCTAssertTrue("\($0)".contains("with 5 classes"), "\($0)")
        }
    }

    /// Clean 0.9; gaussian_noise 0.8, 0.6; contrast 0.5, 0.3. Baseline: clean 0.8; 0.6, 0.4; 0.2, 0.2.
    static func handResults() throws -> (CorruptionResults, CorruptionResults) {
        let ours = try CorruptionResults(
            table: .mnistC, seed: 0, images: 10, clean: 0.9, corruptions: [.gaussianNoise, .contrast], severities: [1, 2],
            accuracies: [.gaussianNoise: [0.8, 0.6], .contrast: [0.5, 0.3]])
        let base = try CorruptionResults(
            table: .mnistC, seed: 0, images: 10, clean: 0.8, corruptions: [.contrast, .gaussianNoise], severities: [1, 2],
            accuracies: [.gaussianNoise: [0.6, 0.4], .contrast: [0.2, 0.2]])
        return (ours, base)
    }

    func testSummaryFiguresByHand() throws {
        let (ours, base) = try Self.handResults()
        XCTAssertEqual(ours.meanAccuracy(.gaussianNoise), 0.7, accuracy: 1e-12)
        XCTAssertEqual(ours.meanAccuracy(.contrast), 0.4, accuracy: 1e-12)
        XCTAssertEqual(ours.mca, 0.55, accuracy: 1e-12)
        XCTAssertEqual(ours.rca ?? 0, 0.55 / 0.9, accuracy: 1e-12)
        let cmp = try ours.compared(with: base)
        // CE: errors (0.2 + 0.4) / (0.4 + 0.6) = 0.6 and (0.5 + 0.7) / (0.8 + 0.8) = 0.75.
        XCTAssertEqual(cmp.ce[.gaussianNoise] ?? 0, 0.6, accuracy: 1e-12)
        XCTAssertEqual(cmp.ce[.contrast] ?? 0, 0.75, accuracy: 1e-12)
        XCTAssertEqual(cmp.mce ?? 0, 0.675, accuracy: 1e-12)
        // Relative: (0.1 + 0.3) / (0.2 + 0.4) and (0.4 + 0.6) / (0.6 + 0.6).
        XCTAssertEqual(cmp.relativeCE[.gaussianNoise] ?? 0, 0.4 / 0.6, accuracy: 1e-12)
        XCTAssertEqual(cmp.relativeCE[.contrast] ?? 0, 1.0 / 1.2, accuracy: 1e-12)
        XCTAssertEqual(cmp.relativeMCE ?? 0, (0.4 / 0.6 + 1.0 / 1.2) / 2, accuracy: 1e-12)
    }

    func testJSONShapeAndRoundTrip() throws {
        let (ours, base) = try Self.handResults()
        let json = ours.json(baseline: try ours.compared(with: base))
        XCTAssertEqual(json.objectValue?.keys, ["table", "seed", "images", "clean", "corruptions", "mca", "rca", "baseline"])
        XCTAssertEqual(json["table"], "mnist-c")
        XCTAssertEqual(json["corruptions"]?.objectValue?.keys, ["gaussian_noise", "contrast"])
        XCTAssertEqual(json["corruptions"]?["contrast"]?["severities"]?["2"]?.doubleValue, 0.3)
        XCTAssertEqual(json["corruptions"]?["contrast"]?["mean"]?.doubleValue ?? 0, 0.4, accuracy: 1e-12)
        XCTAssertEqual(json["baseline"]?["mce"]?.doubleValue ?? 0, 0.675, accuracy: 1e-12)
        XCTAssertEqual(json["baseline"]?["ce"]?["contrast"]?.doubleValue ?? 0, 0.75, accuracy: 1e-12)
        XCTAssertEqual(json["baseline"]?["clean"]?.doubleValue, 0.8)
        let text = json.formatted()
        let back = try CorruptionResults(json: try JSONValue(parsing: text), source: "r.json")
        XCTAssertEqual(back, ours)
        XCTAssertThrowsError(try CorruptionResults(json: ["table": "mnist-c", "seed": 0], source: "r.json")) {
            XCTAssertEqual("\($0)", "r.json: images: expected an integer, found nothing")
        }
        var bad = json.objectValue!
        bad["corruptions"] = ["fog": ["severities": ["1": 0.5]]]
        XCTAssertThrowsError(try CorruptionResults(json: .object(bad), source: "r.json")) {
            XCTAssertTrue("\($0)".hasPrefix("r.json: corruptions: expected names among gaussian_noise"), "\($0)")
        }
    }

    func testMismatchedOrPerfectBaselines() throws {
        let (ours, base) = try Self.handResults()
        let otherSeed = try CorruptionResults(
            table: .mnistC, seed: 1, images: 10, clean: 0.8, corruptions: base.corruptions, severities: [1, 2],
            accuracies: base.accuracies)
        XCTAssertThrowsError(try ours.compared(with: otherSeed)) { XCTAssertTrue("\($0)".contains("seed 1"), "\($0)") }
        let fewer = try CorruptionResults(
            table: .mnistC, seed: 0, images: 10, clean: 0.8, corruptions: [.contrast], severities: [1, 2],
            accuracies: [.contrast: [0.2, 0.2]])
        XCTAssertThrowsError(try ours.compared(with: fewer)) {
            XCTAssertTrue("\($0)".contains("without gaussian_noise"), "\($0)")
        }
        let perfect = try CorruptionResults(
            table: .mnistC, seed: 0, images: 10, clean: 1, corruptions: [.gaussianNoise, .contrast], severities: [1, 2],
            accuracies: [.gaussianNoise: [1, 1], .contrast: [1, 1]])
        let cmp = try ours.compared(with: perfect)
        XCTAssertNil(cmp.mce)
        XCTAssertNil(cmp.relativeMCE)
        XCTAssertEqual(ours.json(baseline: cmp)["baseline"]?["mce"], .null)
        XCTAssertThrowsError(
            try CorruptionResults(
                table: .mnistC, seed: 0, images: 1, clean: 1, corruptions: [.contrast], severities: [1, 2],
                accuracies: [.contrast: [1]]))
    }
}
