// CorruptCommandTests: `kdistill corrupt` on a 200-image subset of the real Fashion-MNIST test set: the
// variant files (IDX headers, labels, manifest), the same bytes on a second run and with other thread
// counts, other noise under another seed, and bad requests as one line with exit status 2.

import Foundation
import TestSupport
import XCTest

final class CorruptCommandTests: CLITestCase {
    func corrupt(_ out: String, _ extra: [String] = []) throws -> CLIResult {
        try kdistillOK(
            [
                "corrupt", "--data", "fashion-mnist", "--data-dir", Self.fashionMNIST, "--write", out, "--limit", "200",
                "--corruptions", "gaussian_noise,contrast", "--severities", "1,5",
            ] + extra)
    }

    func bytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: absolute(path)))) }

    func testWritesReadableDeterministicVariants() throws {
        try Self.requireFashionMNIST()
        let r = try corrupt("a")
        XCTAssertEqual(r.stdoutLines.count, 1, "\(r)")
        XCTAssertTrue(r.stdout.hasPrefix("wrote 4 variants of 200 fashion-mnist test images (mnist-c, seed 0) to a"), "\(r)")
        let manifest = try readJSON("a/manifest.json")
        XCTAssertEqual(manifest["table"] as? String, "mnist-c")
        XCTAssertEqual(manifest["images"] as? Int, 200)
        XCTAssertEqual(manifest["shape"] as? [Int], [1, 28, 28])
        let indices = try XCTUnwrap(manifest["indices"] as? [Int])
        XCTAssertEqual(indices.count, 200)
        XCTAssertEqual(indices, indices.sorted())
        let variants = try XCTUnwrap(manifest["variants"] as? [[String: Any]])
        XCTAssertEqual(
            variants.map { "\($0["corruption"]!)/\($0["severity"]!)" },
            [
                "gaussian_noise/1", "gaussian_noise/5", "contrast/1", "contrast/5",
            ])
        XCTAssertEqual(variants[1]["parameter"] as? Double, 0.38)

        let labels = try bytes("a/contrast/1/labels-idx1-ubyte")
        XCTAssertEqual(Array(labels.prefix(8)), [0, 0, 8, 1, 0, 0, 0, 200])
        XCTAssertEqual((0..<10).map { c in labels.dropFirst(8).filter { $0 == c }.count }, [Int](repeating: 20, count: 10))
        for v in variants {
            let images = try bytes("a/\(v["images"] as? String ?? "")")
            XCTAssertEqual(Array(images.prefix(16)), [0, 0, 8, 3, 0, 0, 0, 200, 0, 0, 0, 28, 0, 0, 0, 28])
            XCTAssertEqual(images.count, 16 + 200 * 784)
            XCTAssertEqual(try bytes("a/\(v["labels"] as? String ?? "")"), labels)
        }

        // Same seed (other thread count): same bytes. Another seed: other noise, the same contrast.
        _ = try kdistillOK(
            [
                "--threads", "1", "corrupt", "--data", "fashion-mnist", "--data-dir", Self.fashionMNIST, "--write", "b",
                "--limit", "200", "--corruptions", "gaussian_noise,contrast", "--severities", "1,5",
            ])
        _ = try corrupt("c", ["--seed", "9"])
        for v in ["gaussian_noise/1", "gaussian_noise/5", "contrast/1", "contrast/5"] {
            let a = try bytes("a/\(v)/images-idx3-ubyte")
            XCTAssertEqual(a, try bytes("b/\(v)/images-idx3-ubyte"), v)
            if v.hasPrefix("contrast") {
                XCTAssertEqual(a, try bytes("c/\(v)/images-idx3-ubyte"), v)
            } else {
                XCTAssertNotEqual(a, try bytes("c/\(v)/images-idx3-ubyte"), v)
            }
        }
        XCTAssertEqual(try bytes("a/manifest.json"), try bytes("b/manifest.json"))
    }

    func testBadRequestsAreOneLine() throws {
        try Self.requireFashionMNIST()
        let base = ["corrupt", "--data", "fashion-mnist", "--data-dir", Self.fashionMNIST, "--write", "out", "--limit", "10"]
        assertInputError(try kdistill(base + ["--corruptions", "fog"]), mentions: ["--corruptions", "'fog'", "gaussian_noise"])
        assertInputError(try kdistill(base + ["--severities", "0-5"]), mentions: ["--severities", "1…5", "'0-5'"])
        assertInputError(try kdistill(base + ["--table", "imagenet-c"]), mentions: ["--table", "mnist-c or cifar10-c"])
        assertInputError(try kdistill(base + ["--seed", "-1"]), mentions: ["--seed"])
        assertInputError(try kdistill(["corrupt", "--data", "fashion-mnist"]), mentions: ["--write", "required"])
        assertInputError(try kdistill(["corrupt", "--write", "out"]), mentions: ["--data", "required"])
        assertInputError(try kdistill(["corrupt", "--data", "svhn", "--write", "out"]), mentions: ["--data", "'svhn'"])
        try write("x", to: "file")
        assertInputError(
            try kdistill(["corrupt", "--data", "fashion-mnist", "--data-dir", Self.fashionMNIST, "--write", "file"]),
            mentions: ["--write", "file"])
        XCTAssertFalse(exists("out"), "nothing written for a bad request")
    }
}
