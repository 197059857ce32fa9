// StateDict: a layer's named tensors as a PyTorch-style state dict, loading one with strict
// checks (missing, unexpected and mis-shaped keys), and saving/loading whole safetensors checkpoints.

import KDTensor

/// Whether `name` is a batch-norm step counter, which PyTorch saves and kdistill does not need.
func isBatchCounter(_ name: String) -> Bool {
    name == "num_batches_tracked" || name.hasSuffix(".num_batches_tracked")
}

extension Layer {
    /// Every parameter and buffer by full name, in `namedTensors` order. The tensors are the layer's
    /// own (references, not copies): write them out before training changes them.
    public func stateDict() -> [(name: String, tensor: Tensor)] { state.map { ($0.name, $0.tensor) } }

    /// Copies `entries` into this layer's tensors (`Tensor.assign`). Every model tensor must be
    /// present with its exact shape and every entry must name a model tensor; `num_batches_tracked`
    /// counters may be absent or extra. Nothing is changed unless everything matches. Errors name
    /// `source` (the checkpoint path), the key, and the expected and found shapes.
    public func loadStateDict(_ entries: [(name: String, tensor: Tensor)], source: String) throws {
        var given: [String: Tensor] = [:]
        for (name, tensor) in entries {
            guard given.updateValue(tensor, forKey: name) == nil else {
                throw CheckpointError(source, name, expected: "one tensor per key", found: "the key twice")
            }
        }
        let own = state
        var problems: [CheckpointError] = []
        var assignments: [(Tensor, Tensor)] = []
        let hint = "a checkpoint of another model?"
        for nt in own {
            let expected = nt.tensor.shape
            guard let t = given[nt.name] else {
                if !isBatchCounter(nt.name) {
                    problems.append(
                        CheckpointError(
                            source, nt.name, expected: "a tensor of shape \(shapeText(expected))",
                            found: "no such key", hint: hint))
                }
                continue
            }
            let compatible = t.shape == expected || (isBatchCounter(nt.name) && t.count == 1 && nt.tensor.count == 1)
            guard compatible else {
                problems.append(
                    CheckpointError(
                        source, nt.name, expected: "shape \(shapeText(expected))",
                        found: shapeText(t.shape), hint: hint))
                continue
            }
            assignments.append((nt.tensor, t))
        }
        let ownNames = Set(own.map(\.name))
        for (name, tensor) in entries where !ownNames.contains(name) && !isBatchCounter(name) {
            problems.append(
                CheckpointError(
                    source, name, expected: "only keys the model has",
                    found: "an unexpected key of shape \(shapeText(tensor.shape))", hint: hint))
        }
        if let first = problems.first {
            let more = problems.count - 1
            throw CheckpointError(
                source, first.what, expected: first.expected, found: first.found,
                hint: more > 0 ? "and \(more) more mismatched key\(more == 1 ? "" : "s"); \(hint)" : hint)
        }
        for (dst, src) in assignments { dst.assign(src) }
    }

    /// Writes this layer's state dict and `metadata` to `path` atomically; batch-norm counters are
    /// stored as I64 as PyTorch does.
    public func saveCheckpoint(to path: String, metadata: [String: String]) throws {
        let entries = stateDict()
        var dtypes: [String: SafetensorsDType] = [:]
        for (name, _) in entries where isBatchCounter(name) { dtypes[name] = .I64 }
        try SafetensorsFile(tensors: entries, metadata: metadata, dtypes: dtypes).write(to: path)
    }

    /// Reads the checkpoint at `path` and loads its tensors into this layer; returns the file
    /// (for its metadata).
    @discardableResult
    public func loadCheckpoint(path: String) throws -> SafetensorsFile {
        let file = try SafetensorsFile.read(path: path)
        try loadStateDict(file.tensors, source: path)
        return file
    }
}
