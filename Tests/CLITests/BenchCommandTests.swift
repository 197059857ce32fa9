// BenchCommandTests: `kdistill bench` as `make bench` (benchmarks/bench.py) uses it: one workload with a
// tiny step count prints one JSON line with the fields the harness reads; bad workload ids fail up front.

import Foundation
import TestSupport
import XCTest

final class BenchCommandTests: CLITestCase {
    /// The JSON lines of a successful `kdistill bench ... --json`.
    func benchLines(_ arguments: [String]) throws -> [[String: Any]] {
        let r = try kdistillOK(["--threads", "1", "bench", "--json"] + arguments, timeout: 300)
        return try r.stdoutLines.map { try Self.parseObject($0, source: "bench --json") }
    }

    func testOneWorkloadPrintsTheFieldsTheHarnessReads() throws {
        let lines = try benchLines(["--workload", "W2", "--steps", "2", "--warmup", "0"])
        XCTAssertEqual(lines.count, 1)
        let r = try XCTUnwrap(lines.first)
        XCTAssertEqual(r["workload"] as? String, "W2")
        XCTAssertEqual(r["engine"] as? String, "kdistill")
        XCTAssertEqual(r["threads"] as? Int, 1)
        XCTAssertEqual(r["steps"] as? Int, 2)
        XCTAssertEqual(r["warmup"] as? Int, 0)
        XCTAssertEqual(r["images_per_step"] as? Int, 128)
        XCTAssertTrue((r["title"] as? String)?.contains("lenet5") ?? false, "\(r)")
        let step = try XCTUnwrap(r["median_step_s"] as? Double), rate = try XCTUnwrap(r["images_per_s"] as? Double)
        let flops = try XCTUnwrap(r["flops_per_step"] as? Double), gflops = try XCTUnwrap(r["gflops"] as? Double)
        XCTAssertGreaterThan(step, 0)
        XCTAssertGreaterThan(try XCTUnwrap(r["peak_rss_mb"] as? Double), 1)
        // The figures agree with one another (up to the rounding of the printed values).
        XCTAssertEqual(rate, 128 / step, accuracy: 0.01 * rate + 0.1)
        XCTAssertEqual(gflops, flops / step / 1e9, accuracy: 0.01 * gflops + 0.1)
        // lenet5's forward on a 28x28 image: 6·25·28² + 16·6·25·10² + 400·120 + 120·84 + 84·10 = 416 520
        // multiply-adds, 2 FLOPs each; a training step counts 3x the forward.
        XCTAssertEqual(flops / 128 / 3, 833_040, accuracy: 20_000)
    }

    /// kdistill restarts itself with OPENBLAS_CORETYPE when OpenBLAS falls back to its SSE3 kernels on a
    /// CPU with AVX2 (this machine kind's Xeon): the workload must not run on Prescott there.
    func testTheGEMMsRunOnKernelsForThisCPU() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flagLine = flags.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let hasAVX2 = flagLine.contains(" avx2") && flagLine.contains(" fma")
        let line = try XCTUnwrap(benchLines(["--workload", "W1", "--steps", "1", "--warmup", "0"]).first)
        let kernels = try XCTUnwrap(line["blas_kernels"] as? String)
        if hasAVX2 && ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil {
            XCTAssertNotEqual(kernels.lowercased(), "prescott", "\(line)")
        }
        // KDISTILL_BLAS_CORE=keep leaves OpenBLAS's own choice: where kdistill upgraded, that was Prescott.
        let kept = try kdistill(
            ["--threads", "1", "bench", "--json", "--workload", "W1", "--steps", "1", "--warmup", "0"],
            environment: ["KDISTILL_BLAS_CORE": "keep"], timeout: 300)
        XCTAssertEqual(kept.status, 0, kept.stderr)
        let own = try XCTUnwrap(try Self.parseObject(kept.stdoutLines.first ?? "", source: "bench")["blas_kernels"] as? String)
        if own != kernels { XCTAssertEqual(own.lowercased(), "prescott") }
    }

    func testSeveralWorkloadsRunEachInItsOwnProcess() throws {
        let lines = try benchLines(["--workload", "W2,W1", "--steps", "1", "--warmup", "0"])
        XCTAssertEqual(lines.map { $0["workload"] as? String }, ["W2", "W1"])
        XCTAssertEqual(lines.map { $0["steps"] as? Int }, [1, 1])
        XCTAssertEqual(lines.map { $0["threads"] as? Int }, [1, 1])
    }

    func testAnUnknownWorkloadFailsBeforeAnyRuns() throws {
        assertInputError(try kdistill(["bench", "--workload", "W2,W9"]), mentions: ["--workload", "'W9'", "W1, W2"])
        assertInputError(try kdistill(["bench", "--workload", "W3,"]), mentions: ["--workload", "''"])
        assertInputError(try kdistill(["bench", "--warmup", "-1"]), mentions: ["--warmup", "'-1'"])
    }
}
