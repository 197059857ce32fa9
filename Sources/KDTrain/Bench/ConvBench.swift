// ConvBench: `kdistill bench --conv`: the ResNet 3x3 layer shapes (16/32/64 channels on 32x32 and 28x28
// inputs, batch 64 and 128) timed pass by pass (forward, input gradient, weight gradient) under each
// convolution lowering that applies, lowerings alternated within every repeat; medians in ms.

import Foundation
import KDTensor

extension Bench {
    /// One convolution pass under one lowering: its median wall-clock time over the repeats, and the median
    /// CPU time of the process (all threads; on a shared machine the steadier measure of work).
    public struct ConvTiming {
        public let shape: String, pass: String, lowering: ConvLowering, threads: Int, medianMs: Double, medianCpuMs: Double
    }

    /// CPU time of this process so far, in ms.
    static func processCpuMs() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
    }

    /// The 3x3 "same" layers of resnet8/20/32 on 32x32 (CIFAR) and 28x28 (Fashion-MNIST) inputs.
    public static func convShapes(batches: [Int] = [64, 128]) -> [ConvGeometry] {
        var shapes: [ConvGeometry] = []
        for batch in batches {
            for side in [32, 28] {
                for (stage, channels) in [16, 32, 64].enumerated() {
                    let s = (side + (1 << stage) - 1) >> stage
                    shapes.append(
                        ConvGeometry(
                            batch: batch, inChannels: channels, height: s, width: s, outChannels: channels, kernelH: 3,
                            kernelW: 3,
                            stride: 1, padding: 1))
                }
            }
        }
        return shapes
    }

    /// Times every shape × pass × lowering (`repeats` rounds, lowerings interleaved) at the current thread count.
    public static func convTimings(_ shapes: [ConvGeometry], repeats: Int) -> [ConvTiming] {
        let saved = ConvKernels.lowering
        defer { ConvKernels.lowering = saved }
        var result: [ConvTiming] = []
        for g in shapes {
            let x = Tensor(uninitialized: [g.batch, g.inChannels, g.height, g.width])
            let w = Tensor(uninitialized: [g.outChannels, g.inChannels, 3, 3])
            let y = Tensor(uninitialized: [g.batch, g.outChannels, g.outHeight, g.outWidth])
            let dx = Tensor(uninitialized: x.shape), dw = Tensor(uninitialized: w.shape), out = Tensor(uninitialized: y.shape)
            for (t, value) in [x, w, y].enumerated() {
                for i in 0..<value.count { value.data[i] = Float((i * 7 + t) % 13) / 13 - 0.5 }
            }
            let passes: [(String, () -> Void)] = [
                ("forward", { ConvKernels.forward(x: x.data, weight: w.data, bias: nil, y: out.data, g) }),
                (
                    "input grad",
                    { ConvKernels.backward(x: x.data, weight: w.data, dy: y.data, dx: dx.data, dWeight: nil, dBias: nil, g) }
                ),
                (
                    "weight grad",
                    { ConvKernels.backward(x: x.data, weight: w.data, dy: y.data, dx: nil, dWeight: dw.data, dBias: nil, g) }
                ),
            ]
            let lowerings: [ConvLowering] = [.direct, .im2col, .winograd, .auto]
            let shape = "\(g.inChannels)→\(g.outChannels) \(g.height)x\(g.width) N=\(g.batch)"
            for (name, run) in passes {
                var times = [[Double]](repeating: [], count: lowerings.count), cpu = times
                for round in 0...repeats {
                    for (l, lowering) in lowerings.enumerated() {
                        ConvKernels.lowering = lowering
                        let (t0, c0) = (DispatchTime.now().uptimeNanoseconds, processCpuMs())
                        run()
                        if round > 0 {
                            times[l].append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                            cpu[l].append(processCpuMs() - c0)
                        }
                    }
                }
                for (l, lowering) in lowerings.enumerated() {
                    let (sorted, sortedCpu) = (times[l].sorted(), cpu[l].sorted())
                    result.append(
                        ConvTiming(
                            shape: shape, pass: name, lowering: lowering, threads: Parallel.threads,
                            medianMs: sorted[sorted.count / 2], medianCpuMs: sortedCpu[sortedCpu.count / 2]))
                }
            }
        }
        return result
    }

    /// The timings as a table: one row per shape and pass, one column per lowering.
    public static func convText(_ timings: [ConvTiming]) -> String {
        var lines = [
            "threads  shape                     pass               direct         im2col       winograd           auto  (median wall ms (cpu ms))"
        ]
        var i = 0
        while i + 3 < timings.count {
            let row = timings[i..<i + 4]
            let t = row.first!
            let cells = row.map { String(format: "%6.2f (%6.2f)", $0.medianMs, $0.medianCpuMs) }.joined(separator: " ")
            lines.append(
                "\(t.threads)".padding(toLength: 9, withPad: " ", startingAt: 0)
                    + t.shape.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + t.pass.padding(toLength: 12, withPad: " ", startingAt: 0) + cells)
            i += 4
        }
        return lines.joined(separator: "\n")
    }
}
