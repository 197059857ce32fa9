// Optimizer: the protocol every optimizer implements, and the per-parameter state buffers they
// share, saved by parameter name (`exp_avg.layer1.0.conv1.weight`) so that a run can resume.

import KDTensor

/// Updates parameters from their gradients. Hyper-parameters follow PyTorch's `torch.optim`.
public protocol Optimizer: AnyObject {
    /// Learning rate of the next `step()` (set by the schedule before each step).
    var learningRate: Float { get set }
    /// Applies one update to every parameter that has a gradient (parameters with nil grad are skipped).
    func step()
    /// Clears every parameter's gradient (sets it to nil, as PyTorch's `set_to_none`).
    func zeroGrad()
    /// The optimizer's state as named tensors (`<slot>.<parameter name>`), copies, for saving.
    func stateTensors() -> [(name: String, tensor: Tensor)]
    /// Replaces the state with `entries` (as `stateTensors` wrote them); `source` names errors.
    func loadState(_ entries: [(name: String, tensor: Tensor)], source: String) throws
}

extension Optimizer {
    /// Replaces the state with `entries`; errors name them `optimizer state`.
    public func loadState(_ entries: [(name: String, tensor: Tensor)]) throws {
        try loadState(entries, source: "optimizer state")
    }
}

/// Elements per thread below which an update runs on one thread.
let optimizerGrain = 1 << 15

/// The parameters an optimizer updates and its per-parameter state buffers ("slots").
final class ParameterSlots {
    /// Parameter names, in order.
    let names: [String]
    /// Parameter tensors, in the same order.
    let tensors: [Tensor]
    /// Slot names of same-shape buffers (`momentum_buffer`, `exp_avg`, ...).
    let bufferSlots: [String]
    /// Whether a scalar `step` slot (per-parameter update count) is kept.
    let countsSteps: Bool
    /// buffers[slot][parameter]: nil until the parameter's first update.
    var buffers: [[Tensor?]]
    /// Updates applied to each parameter.
    var steps: [Int]

    /// The `.parameter` entries of `named`; buffers (batch-norm statistics) are left out.
    init(_ named: [NamedTensor], bufferSlots: [String], countsSteps: Bool) {
        let params = named.filter { $0.role == .parameter }
        precondition(Set(params.map(\.name)).count == params.count, "optimizer: duplicate parameter names")
        names = params.map(\.name)
        tensors = params.map(\.tensor)
        self.bufferSlots = bufferSlots
        self.countsSteps = countsSteps
        buffers = bufferSlots.map { _ in Array(repeating: nil, count: params.count) }
        steps = Array(repeating: 0, count: params.count)
    }

    /// Sets every gradient to nil.
    func zeroGrad() { for t in tensors { t.grad = nil } }

    /// The buffer `slot` of parameter `i`, created filled with zeros on first use.
    func buffer(_ slot: Int, _ i: Int) -> Tensor {
        if let b = buffers[slot][i] { return b }
        let b = Tensor.zeros(tensors[i].shape)
        buffers[slot][i] = b
        return b
    }

    /// Copies of every existing buffer (and step count) named `<slot>.<parameter>`.
    func entries() -> [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = []
        for (i, name) in names.enumerated() {
            for (s, slot) in bufferSlots.enumerated() {
                if let b = buffers[s][i] { out.append(("\(slot).\(name)", b.copy())) }
            }
            if countsSteps, steps[i] > 0 { out.append(("step.\(name)", Tensor(Float(steps[i])))) }
        }
        return out
    }

    /// Replaces all state by `entries`, after checking every name, shape and step count.
    /// A parameter absent from `entries` starts fresh; one with a step count needs all its buffers.
    func load(_ entries: [(name: String, tensor: Tensor)], source: String) throws {
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var newBuffers = bufferSlots.map { _ in [Tensor?](repeating: nil, count: names.count) }
        var newSteps = [Int](repeating: 0, count: names.count)
        let slotList = (bufferSlots + (countsSteps ? ["step"] : [])).joined(separator: ", ")
        for (name, tensor) in entries {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw CheckpointError(
                    source, name, expected: "a key <slot>.<parameter> with slot one of \(slotList)", found: "no slot")
            }
            guard let i = index[parts[1]] else {
                throw CheckpointError(
                    source, name, expected: "state of a parameter of this model",
                    found: "no parameter \(parts[1])", hint: "state of another model?")
            }
            if countsSteps, parts[0] == "step" {
                let v = tensor.count == 1 ? tensor.data[0] : -1
                guard v >= 1, v == v.rounded(), v < 1e9 else {
                    throw CheckpointError(source, name, expected: "a positive whole step count", found: tensor.description)
                }
                newSteps[i] = Int(v)
                continue
            }
            guard let s = bufferSlots.firstIndex(of: parts[0]) else {
                throw CheckpointError(source, name, expected: "a slot among \(slotList)", found: "slot \(parts[0])")
            }
            guard tensor.shape == tensors[i].shape else {
                throw CheckpointError(
                    source, name, expected: "shape \(shapeText(tensors[i].shape))",
                    found: shapeText(tensor.shape), hint: "state of another model?")
            }
            guard newBuffers[s][i] == nil else {
                throw CheckpointError(source, name, expected: "one entry per key", found: "the key twice")
            }
            newBuffers[s][i] = tensor.copy()
        }
        if countsSteps {
            for (i, name) in names.enumerated() {
                let present = bufferSlots.indices.filter { newBuffers[$0][i] != nil }
                guard (newSteps[i] > 0 && present.count == bufferSlots.count) || (newSteps[i] == 0 && present.isEmpty) else {
                    throw CheckpointError(
                        source, name, expected: "all of \(slotList) or none",
                        found: (present.map { bufferSlots[$0] } + (newSteps[i] > 0 ? ["step"] : [])).joined(separator: ", "))
                }
            }
        }
        buffers = newBuffers
        steps = newSteps
    }
}
