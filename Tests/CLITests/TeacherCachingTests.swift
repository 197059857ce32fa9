// TeacherCachingTests: pipelines cache their teacher by the same rule as every method: only with
// `cache_teacher` (logged when the cache is built), and `cache_teacher` with augmentation is refused
// before the first run trains.

import Foundation
import TestSupport
import XCTest

final class TeacherCachingTests: CLITestCase {
    func testPipelinesCacheOnlyWhenAsked() throws {
        let data = dir + "/mnist"
        try TinyDatasetFiles.writeMNIST(directory: data, trainCount: 64, testCount: 32, gzip: false)
        func config(_ method: [String: Any], flip: Bool = false) -> [String: Any] {
            [
                "data": ["dataset": "mnist", "dir": data, "augment": ["flip": flip]], "student": "mlp-8", "epochs": 1,
                "batch_size": 32, "method": method,
            ]
        }
        try writeJSON(config(["name": "ban", "generations": 1]), to: "ban.json")
        let plain = try kdistillOK(["--threads", "1", "distill", "ban.json"])
        XCTAssertFalse(plain.stderr.contains("cached for"), "cache_teacher is off by default, as for every method: \(plain)")
        XCTAssertTrue(
            plain.stderr.contains(
                "method ban: generations 1, label_weight 0, T 1, ensemble_eval true, logit_standardization false, cache_teacher false"
            ))

        try writeJSON(config(["name": "ban", "generations": 1, "cache_teacher": true]), to: "cached.json")
        let cached = try kdistillOK(["--threads", "1", "distill", "cached.json"])
        XCTAssertEqual(
            cached.stderrLines.filter { $0 == "teacher logits cached for 64 training images" }.count, 1, "gen1: \(cached)")

        try writeJSON(config(["name": "ban", "generations": 1, "cache_teacher": true], flip: true), to: "flip.json")
        assertInputError(
            try kdistill(["--threads", "1", "distill", "flip.json"]), mentions: ["method.cache_teacher", "augment"])
        XCTAssertFalse(exists("runs/flip/gen0/metrics.jsonl"), "refused before gen0 trains")
    }
}
