// Workloads: the speed workloads W1–W5 of docs/benchmarks.md as closures that run one step each:
// training steps of mlp-1200-1200, lenet5 and resnet20, a distillation step (resnet32 → resnet8 with
// CE + KD + attention transfer), and resnet20 inference on a batch of 1000.

import KDMethods
import KDNN
import KDTensor

/// One benchmark workload: a step to time and its size.
public struct Workload {
    public let id: String
    public let title: String
    /// Images processed by one step.
    public let images: Int
    /// Analytic FLOPs of one step (a training step counts 3x its forward FLOPs).
    public let flops: Double
    /// Runs one step.
    public let step: () -> Void

    /// Every workload id, in order.
    public static let ids = ["W1", "W2", "W3", "W4", "W5"]

    /// Builds workload `id` (random inputs from a fixed seed).
    public static func make(_ id: String) throws -> Workload {
        let batch = 128
        switch id {
        case "W1", "W2", "W3":
            let (name, shape) =
                id == "W1" ? ("mlp-1200-1200", [1, 28, 28]) : id == "W2" ? ("lenet5", [1, 28, 28]) : ("resnet20", [3, 32, 32])
            let model = try Zoo.build(ModelSpec(name: name, inputShape: shape, numClasses: 10), seed: 0)
            let optimizer = SGD(model.state, lr: 0.01, momentum: 0.9, weightDecay: 5e-4)
            let x = inputs([batch] + shape), labels = Self.labels(batch)
            let ctx = ForwardContext(training: true)
            return Workload(id: id, title: "\(name) training step", images: batch, flops: 3 * Double(model.flopsPerImage * batch))
            {
                let loss = crossEntropy(model.forward(x, ctx).logits, labels: labels)
                optimizer.zeroGrad()
                loss.backward()
                Profiler.section("optimizer step") { optimizer.step() }
            }
        case "W4":
            let teacher = try Zoo.build(ModelSpec(name: "resnet32", inputShape: [3, 32, 32], numClasses: 10), seed: 1)
            let student = try Zoo.build(ModelSpec(name: "resnet8", inputShape: [3, 32, 32], numClasses: 10), seed: 2)
            let optimizer = SGD(student.state, lr: 0.01, momentum: 0.9, weightDecay: 5e-4)
            let x = inputs([batch, 3, 32, 32]), labels = Self.labels(batch)
            let ctx = ForwardContext(training: true)
            let flops = Double(teacher.flopsPerImage * batch) + 3 * Double(student.flopsPerImage * batch)
            return Workload(id: id, title: "resnet32 → resnet8 distillation step (CE + KD + AT)", images: batch, flops: flops) {
                let t = noGrad { teacher.forward(x, .eval) }
                let s = student.forward(x, ctx)
                var loss =
                    crossEntropy(s.logits, labels: labels) * 0.1
                    + SoftTargets.kd(student: s.logits, teacher: t.logits, temperature: 4) * 0.9
                for tap in ["layer1", "layer2", "layer3"] {
                    let at = noGrad { FeatureMaps.attention(t.taps[tap]!) }
                    loss = loss + mseLoss(FeatureMaps.attention(s.taps[tap]!), at) * (1000 / 2)
                }
                optimizer.zeroGrad()
                loss.backward()
                Profiler.section("optimizer step") { optimizer.step() }
            }
        case "W5":
            let model = try Zoo.build(ModelSpec(name: "resnet20", inputShape: [3, 32, 32], numClasses: 10), seed: 0)
            let x = inputs([1000, 3, 32, 32])
            return Workload(
                id: id, title: "resnet20 inference, batch 1000", images: 1000, flops: Double(model.flopsPerImage * 1000)
            ) {
                _ = noGrad { model.forward(x, .eval) }
            }
        default:
            throw RunInputError("--workload: expected one of \(ids.joined(separator: ", ")), found '\(id)'")
        }
    }

    static func inputs(_ shape: [Int]) -> Tensor {
        var rng = SeededGenerator(seed: 42)
        return Tensor.randomNormal(shape, rng: &rng)
    }

    static func labels(_ n: Int) -> [Int32] { (0..<n).map { Int32($0 * 7 % 10) } }
}
