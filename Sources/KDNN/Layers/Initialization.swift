// Initialization: seeded weight initialisers. Convolutions use Kaiming-normal with fan-out and the
// ReLU gain (He et al. 2015, as the CIFAR ResNet references do); linear layers use PyTorch's default
// uniform(±1/√fan_in) for weights and biases.

import KDTensor

/// Seeded initialisers for layer parameters.
public enum Initialization {
    /// N(0, 2/fan_out) for a conv weight `[out, in, kh, kw]`.
    public static func kaimingNormalFanOut(_ shape: [Int], rng: inout SeededGenerator) -> Tensor {
        let fanOut = shape[0] * shape[2...].reduce(1, *)
        return Tensor.randomNormal(shape, std: (2 / Float(fanOut)).squareRoot(), rng: &rng)
    }

    /// U(−1/√fan_in, 1/√fan_in) (PyTorch's default for Linear weights and biases).
    public static func uniformFanIn(_ shape: [Int], fanIn: Int, rng: inout SeededGenerator) -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        return Tensor.randomUniform(shape, -bound, bound, rng: &rng)
    }

    /// U(−b, b), b = √(6/((1 + a²)·fan_in)), fan_in = in·kh·kw of a conv weight `[out, in, kh, kw]`
    /// (PyTorch's `kaiming_uniform_(w, a)`; ReviewKD's a = 1 gives b = √(3/fan_in)).
    public static func kaimingUniform(_ shape: [Int], a: Float, rng: inout SeededGenerator) -> Tensor {
        let fanIn = shape.dropFirst().reduce(1, *)
        let bound = (6 / ((1 + a * a) * Float(fanIn))).squareRoot()
        return Tensor.randomUniform(shape, -bound, bound, rng: &rng)
    }
}

/// Counts the multiply-adds of conv and linear layers during a forward pass (for FLOP reports).
public enum FlopCounter {
    nonisolated(unsafe) static var active = false
    nonisolated(unsafe) static var multiplyAdds = 0

    /// Multiply-adds performed by `body` (conv and linear layers only).
    public static func count(_ body: () -> Void) -> Int {
        active = true
        multiplyAdds = 0
        body()
        active = false
        return multiplyAdds
    }

    static func add(_ n: Int) { if active { multiplyAdds += n } }
}
