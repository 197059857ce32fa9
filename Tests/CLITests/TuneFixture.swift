// TuneFixture: the small study the tune tests share: lenet5 or mlp-100 with a log-uniform lr, four trials on
// 1,000 Fashion-MNIST images (200 held out for validation), and the data linked into `fm/` (training files
// only unless asked: a study never reads the test files).

import Foundation
import XCTest

extension CLITestCase {
    /// base.json (3 epochs) and space.json (4 trials, `scheduler`).
    func writeTuneStudy(scheduler: String) throws {
        var config = FastConfig.object(epochs: 3, testLimit: 500, ["model": "lenet5"])
        config["data"] = ["dataset": "fashion-mnist", "dir": "fm", "limit": 1000, "validation": 200, "test_limit": 500]
        try writeJSON(config, to: "base.json")
        try write(
            """
            {"tune": {"scheduler": "\(scheduler)", "eta": 3, "trials": 4},
             "params": {"optimizer.lr": {"type": "loguniform", "low": 0.0005, "high": 0.005},
                        "model.name": {"type": "choice", "values": ["lenet5", "mlp-100"]}}}
            """, to: "space.json")
    }

    /// Links Fashion-MNIST's training files (and with `test`, its test files) into `fm/`; links made already stay.
    func linkFashionMNIST(test: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: absolute("fm"), withIntermediateDirectories: true)
        for split in test ? ["train", "t10k"] : ["train"] {
            for kind in ["images-idx3", "labels-idx1"] where !exists("fm/\(split)-\(kind)-ubyte.gz") {
                let name = "\(split)-\(kind)-ubyte.gz"
                try FileManager.default.createSymbolicLink(
                    atPath: absolute("fm/" + name), withDestinationPath: Self.fashionMNIST + "/" + name)
            }
        }
    }
}
