// Zoo: builds any zoo model from its name (`mlp-800-800`, `lenet5`, `resnet20`, `resnet32x4`,
// `wrn-40-2`; the name rule is in ZooNames.swift) and reports FLOPs.

import KDTensor

/// A model name that the zoo does not know, or a model that does not fit its input.
public struct ModelError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The model zoo.
public enum Zoo {
    /// Representative names (for listings and suggestions); MLP hidden sizes and depths are open-ended.
    public static let listedNames = [
        "mlp-1200-1200", "mlp-800-800", "lenet5", "resnet8", "resnet14", "resnet20", "resnet32", "resnet44",
        "resnet56", "resnet110", "resnet8x4", "resnet32x4", "wrn-16-1", "wrn-16-2", "wrn-40-1", "wrn-40-2",
    ]

    /// The architecture a name denotes, or nil.
    enum Architecture {
        case mlp([Int]), lenet5, resnet(depth: Int, widths: [Int]), wrn(depth: Int, widen: Int)
    }

    /// Builds `spec.name` with parameters drawn from `seed`.
    public static func build(_ spec: ModelSpec, seed: UInt64) throws -> Model {
        guard let arch = parse(spec.name) else {
            throw ModelError(
                "unknown model '\(spec.name)' (known: mlp-H1-H2-..., lenet5, resnetD and resnetDx4 (D = 6n+2 ≤ \(maxDepth)), wrn-D-k (D = 6n+4))"
            )
        }
        guard spec.inputShape.count == 3, spec.inputShape.allSatisfy({ $0 > 0 }), spec.numClasses >= 2 else {
            throw ModelError("model \(spec.name): input shape \(spec.inputShape) and \(spec.numClasses) classes are not usable")
        }
        guard spec.dropout >= 0, spec.dropout < 1, spec.headDropout >= 0, spec.headDropout < 1 else {
            throw ModelError(
                "model \(spec.name): dropout \(spec.dropout) and head dropout \(spec.headDropout) must lie in [0, 1)")
        }
        guard spec.stochasticDepth > 0, spec.stochasticDepth <= 1 else {
            throw ModelError("model \(spec.name): stochastic depth \(spec.stochasticDepth) must lie in (0, 1]")
        }
        if spec.stochasticDepth < 1, !isResidual(spec.name) {
            throw ModelError("model \(spec.name): stochastic depth needs residual blocks (resnet*, wrn-*)")
        }
        var rng = SeededGenerator(seed: seed)
        switch arch {
        case .mlp(let hidden): return MLP(spec: spec, hidden: hidden, rng: &rng)
        case .lenet5:
            guard spec.inputShape[1] >= 16, spec.inputShape[2] >= 16 else {
                throw ModelError("lenet5 needs inputs of at least 16x16, got \(spec.inputShape)")
            }
            return LeNet5(spec: spec, rng: &rng)
        case .resnet(let depth, let widths): return ResNet(spec: spec, depth: depth, widths: widths, rng: &rng)
        case .wrn(let depth, let widen): return WideResNet(spec: spec, depth: depth, widen: widen, rng: &rng)
        }
    }
}

extension Model {
    /// Forward FLOPs per image (2 per multiply-add of conv and linear layers), from one traced pass.
    public var flopsPerImage: Int {
        let x = Tensor.zeros([1] + spec.inputShape)
        return 2 * FlopCounter.count { _ = noGrad { forward(x, .eval) } }
    }

    /// Output shape of every tap for a batch of `batch`, from one pass without gradients.
    public func tapShapes(batch: Int = 1) -> [String: [Int]] {
        let out = noGrad { forward(.zeros([batch] + spec.inputShape), .eval) }
        return out.taps.mapValues(\.shape)
    }
}
