// EMAModel: the "mean teacher" of Tarvainen & Valpola 2017: a copy of the student whose trainable
// parameters follow θ' ← α θ' + (1 − α) θ after every optimizer step; its BN statistics are its own.

import KDNN
import KDTensor

/// An exponential moving average of a model's trainable parameters, run with a forward context of its own.
public final class EMAModel {
    /// The averaged network (same architecture as the student).
    public let model: Model
    /// Train mode: batch statistics, its own running averages, dropout on (Mean Teacher's `ema_model.train()`).
    public let context: ForwardContext
    /// Optimizer steps averaged so far, `[1]` (resume state; exact in float32 up to 2²⁴ steps).
    public let steps: Tensor
    /// (average, followed) parameter pairs, in the model's state order.
    private let pairs: [(average: Tensor, current: Tensor)]

    /// A copy of `student`'s current parameters and buffers (TensorFlow's ExponentialMovingAverage also
    /// starts from the variables' values), following `student` from now on.
    public init(copying student: Model) throws {
        model = try Zoo.build(student.spec, seed: 0)
        let (own, followed) = (model.state, student.state)
        guard own.map(\.name) == followed.map(\.name) else {
            throw MethodError("mean-teacher: the copy of \(student.spec.name) has other tensors than the student")
        }
        for (dst, src) in zip(own, followed) { dst.tensor.assign(src.tensor) }
        pairs = zip(own, followed).filter { $0.0.role == .parameter }.map { ($0.0.tensor, $0.1.tensor) }
        context = ForwardContext(training: true)
        steps = .zeros([1])
    }

    /// Steps averaged so far.
    public var stepCount: Int { Int(steps.data[0]) }

    /// One step: θ' ← α θ' + (1 − α) θ for every trainable parameter, then the step count grows by one.
    public func update(alpha: Float) {
        let beta = 1 - alpha
        for (average, current) in pairs {
            let (a, c) = (average.data, current.data)
            for i in 0..<average.count { a[i] = alpha * a[i] + beta * c[i] }
        }
        steps.data[0] += 1
    }

    /// Every parameter and buffer of the average (`<prefix>ema.<name>`) and the step count
    /// (`<prefix>steps`): what a resume restores.
    public func state(prefix: String) -> [NamedTensor] {
        model.namedTensors(prefix: prefix + "ema.").map { NamedTensor($0.name, $0.tensor, .buffer) }
            + [NamedTensor(prefix + "steps", steps, .buffer)]
    }
}
