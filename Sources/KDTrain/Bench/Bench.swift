// Bench: `kdistill bench`: times each workload (3 warm-up steps, then the median of at least 10 timed
// steps) and reports images/s, achieved GFLOP/s and peak resident memory. Each workload runs in its own
// process when several are asked for, so the memory figure is that workload's alone.

import Foundation
import KDTensor

/// Benchmark runs.
public enum Bench {
    /// Timing of one workload.
    public struct Result {
        public let id: String, title: String
        public let imagesPerSecond: Double, gflops: Double, medianStep: Double, peakMemoryMB: Double, threads: Int
        /// Images and analytic FLOPs of one step (benchmarks/bench.py derives PyTorch's GFLOP/s from these).
        public let imagesPerStep: Int, flopsPerStep: Double
        /// Timed and warm-up steps.
        public let steps: Int, warmup: Int

        /// The JSON line `make bench` records (benchmarks/bench.py).
        public var json: JSONValue {
            .object([
                "workload": .string(id), "title": .string(title), "images_per_s": .number((imagesPerSecond * 10).rounded() / 10),
                "gflops": .number((gflops * 10).rounded() / 10), "median_step_s": .number((medianStep * 1e5).rounded() / 1e5),
                "peak_rss_mb": .number((peakMemoryMB * 10).rounded() / 10), "threads": .int(threads), "engine": "kdistill",
                "images_per_step": .int(imagesPerStep), "flops_per_step": .number(flopsPerStep), "steps": .int(steps),
                "warmup": .int(warmup), "blas_kernels": .string(BLASKernels.current),
            ])
        }
    }

    /// The workload ids of a `--workload` value (`all` or a comma-separated list), each checked before any runs.
    public static func workloads(_ text: String) throws -> [String] {
        if text == "all" { return Workload.ids }
        let ids = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for id in ids where !Workload.ids.contains(id) {
            throw RunInputError("--workload: expected all or ids among \(Workload.ids.joined(separator: ", ")), found '\(id)'")
        }
        return ids
    }

    /// Times workload `id` in this process.
    public static func run(_ id: String, steps: Int = 10, warmup: Int = 3) throws -> Result {
        let w = try Workload.make(id)
        for _ in 0..<max(warmup, 0) { w.step() }
        var times: [Double] = []
        for _ in 0..<max(steps, 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            w.step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Result(
            id: id, title: w.title, imagesPerSecond: Double(w.images) / median, gflops: w.flops / median / 1e9,
            medianStep: median, peakMemoryMB: Double(usage.ru_maxrss) / 1024, threads: Parallel.threads, imagesPerStep: w.images,
            flopsPerStep: w.flops, steps: times.count, warmup: max(warmup, 0))
    }

    /// Times workload `id` per op and phase (`--profile`): `warmup` untimed steps, then `steps` profiled ones;
    /// returns the profile's entries (seconds summed over the steps) and the steps' total wall time.
    public static func profile(_ id: String, steps: Int = 10, warmup: Int = 3) throws -> (
        entries: [Profiler.Entry], seconds: Double
    ) {
        let w = try Workload.make(id)
        for _ in 0..<max(warmup, 0) { w.step() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        Profiler.start()
        for _ in 0..<max(steps, 1) {
            Profiler.mark()
            w.step()
        }
        let entries = Profiler.stop()
        return (entries, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }

    /// The profile as a table: ms per step, share of the step, calls per step; the unattributed rest last.
    public static func profileText(_ id: String, _ p: (entries: [Profiler.Entry], seconds: Double), steps: Int) -> String {
        let n = Double(max(steps, 1))
        var lines = [
            String(format: "%@: %.1f ms per step, %d threads", id, p.seconds / n * 1000, Parallel.threads),
            "   ms/step   share  calls  phase            op",
        ]
        var attributed = 0.0
        for e in p.entries {
            attributed += e.seconds
            lines.append(
                String(
                    format: "%10.2f  %5.1f%%  %5.0f  %-15@  %@", e.seconds / n * 1000, e.seconds / p.seconds * 100,
                    Double(e.calls) / n, e.phase as NSString, e.name as NSString))
        }
        let rest = max(0, p.seconds - attributed)
        lines.append(
            String(
                format: "%10.2f  %5.1f%%         %-15@  %@", rest / n * 1000, rest / p.seconds * 100, "other" as NSString,
                "(between ops)" as NSString))
        return lines.joined(separator: "\n")
    }

    /// Runs `ids` each in a child process of `executable` (`bench --workload W --json`); returns their JSON lines.
    public static func runIsolated(_ ids: [String], executable: String, steps: Int, warmup: Int = 3, threads: Int) throws
        -> [JSONValue]
    {
        try ids.map { id in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "bench", "--workload", id, "--json", "--steps", String(steps), "--warmup", String(warmup),
                "--threads", String(threads),
            ]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0, let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
                let value = try? JSONValue(parsing: String(line))
            else {
                throw RunError("bench \(id): the child process failed (status \(process.terminationStatus))")
            }
            return value
        }
    }

    /// One aligned text line per result.
    public static func text(_ results: [JSONValue]) -> String {
        var lines = ["workload  images/s   GFLOP/s   peak MB  threads  what"]
        for r in results {
            lines.append(
                String(
                    format: "%-8@ %9.1f %9.1f %9.1f %8d  %@", (r["workload"]?.stringValue ?? "") as NSString,
                    r["images_per_s"]?.doubleValue ?? 0, r["gflops"]?.doubleValue ?? 0, r["peak_rss_mb"]?.doubleValue ?? 0,
                    r["threads"]?.intValue ?? 0, (r["title"]?.stringValue ?? "") as NSString))
        }
        return lines.joined(separator: "\n")
    }
}
