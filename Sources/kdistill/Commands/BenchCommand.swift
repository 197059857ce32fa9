// BenchCommand: `kdistill bench [--workload W3] [--steps N] [--warmup N] [--threads N] [--json]`: the speed
// workloads W1–W5; one workload runs in this process, several each in a child process.

import Foundation
import KDTrain

enum BenchCommand: Subcommand {
    static let spec = Command(
        name: "bench", abstract: "time the speed workloads W1–W5 (images/s, GFLOP/s, peak memory)",
        usage: "kdistill bench [--workload W1,W3] [--steps N] [--warmup N] [--threads N] [--json] [--profile] [--conv]",
        discussion: "W1 mlp-1200-1200, W2 lenet5, W3 resnet20 training steps (batch 128); W4 resnet32 → resnet8 distillation "
            + "step; W5 resnet20 inference (batch 1000). One workload runs in this process, several each in a fresh "
            + "process (peak memory is per workload). `make bench` alternates these with PyTorch over several rounds.",
        options: [
            .value("workload", "IDS", default: "all", help: "comma-separated workload ids, or all"),
            .value("steps", "N", default: "10", help: "timed steps (their median is reported)"),
            .value("warmup", "N", default: "3", help: "untimed warm-up steps before the timed ones"),
            .flag("profile", help: "time each op's forward and backward and the optimizer step (this process)"),
            .flag("conv", help: "time the ResNet 3x3 layer shapes pass by pass under each convolution lowering"),
            CommonOptions.json,
        ],
        positionals: [])

    static func run(_ args: ParsedArguments) throws {
        let threads = try args.int("threads", min: 1) ?? ProcessInfo.processInfo.activeProcessorCount
        ConfigLoading.applyThreadCount(threads)
        let steps = try args.int("steps", min: 1) ?? 10
        let warmup = try args.int("warmup", min: 0) ?? 3
        let requested = args.string("workload") ?? "all"
        let ids = try Bench.workloads(requested)
        if args.flag("conv") {
            print(Bench.convText(Bench.convTimings(Bench.convShapes(), repeats: steps)))
            return
        }
        if args.flag("profile") {
            for id in ids {
                print(Bench.profileText(id, try Bench.profile(id, steps: steps, warmup: warmup), steps: steps) + "\n")
            }
            return
        }
        let results: [JSONValue]
        if ids.count == 1 {
            results = [try Bench.run(ids[0], steps: steps, warmup: warmup).json]
        } else {
            results = try Bench.runIsolated(
                ids, executable: Executable.path, steps: steps,
                warmup: warmup, threads: threads)
        }
        if args.flag("json") { results.forEach { print($0.formatted(.compact)) } } else { print(Bench.text(results)) }
    }
}
