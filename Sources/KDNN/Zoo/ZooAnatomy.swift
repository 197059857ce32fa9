// ZooAnatomy: the one place that says which layer of each zoo model is its classifier (`fc3`, `fc`,
// `fc{L+1}`: docs/models.md) and how many residual blocks it has (for stochastic depth).

extension Zoo {
    /// The state-name prefix of `name`'s final Linear layer (`fc3.` for lenet5, `fc.` for resnets and
    /// wide resnets, `fc{L+1}.` for an MLP with L hidden layers), or nil for a name the zoo does not know.
    public static func classifierPrefix(_ name: String) -> String? {
        switch parse(name) {
        case .mlp(let hidden): return "fc\(hidden.count + 1)."
        case .lenet5: return "fc3."
        case .resnet, .wrn: return "fc."
        case nil: return nil
        }
    }

    /// The number of residual blocks of `name` (3n for `resnet{6n+2}` and `wrn-{6n+4}-k`), 0 for a model
    /// without residual blocks (MLPs, lenet5), nil for a name the zoo does not know.
    public static func residualBlockCount(_ name: String) -> Int? {
        switch parse(name) {
        case .mlp, .lenet5: return 0
        case .resnet(let depth, _): return 3 * ((depth - 2) / 6)
        case .wrn(let depth, _): return 3 * ((depth - 4) / 6)
        case nil: return nil
        }
    }

    /// Whether stochastic depth applies to `name` (it has residual blocks).
    public static func isResidual(_ name: String) -> Bool { (residualBlockCount(name) ?? 0) > 0 }
}

extension Model {
    /// The bias of the final Linear layer (`Zoo.classifierPrefix` + `bias`, `[K]`): the model's own tensor,
    /// so writing to it changes the model. Nil when the zoo names no classifier for the model or it has
    /// no such bias.
    public var classifierBias: NamedTensor? {
        guard let prefix = Zoo.classifierPrefix(spec.name) else { return nil }
        return state.first { $0.name == prefix + "bias" && $0.role == .parameter && $0.tensor.shape == [spec.numClasses] }
    }
}
