// RNG: a small, seedable, serialisable generator (xoshiro256**, seeded by SplitMix64) used for
// initialisation, dropout, shuffling and augmentation, so every run is repeatable from its seed.

import Foundation

/// xoshiro256** with SplitMix64 seeding. Its state can be saved and restored for resumable runs.
public struct SeededGenerator: RandomNumberGenerator, Codable, Equatable, Sendable {
    /// The four state words.
    public private(set) var state: [UInt64]

    /// A generator determined entirely by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = [splitmix(), splitmix(), splitmix(), splitmix()]
    }

    /// A generator continuing from a saved state (four words).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 bits of precision.
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 bits of precision: `(next() >> 11) · 2⁻⁵³`.
    public mutating func uniformDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal (Box–Muller, in Double): `sqrt(−2 ln max(u₁, 1e−300)) · cos(2π u₂)`, two
    /// `uniformDouble()` draws per value, the sine twin discarded.
    public mutating func normalDouble() -> Double {
        let u1 = max(uniformDouble(), 1e-300)
        let u2 = uniformDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Standard normal (Box–Muller): `normalDouble()` rounded to Float.
    public mutating func normal() -> Float { Float(normalDouble()) }

    /// Uniform integer in 0..<n (n > 0).
    public mutating func int(below n: Int) -> Int { Int(next(upperBound: UInt64(n))) }

    /// `items` in a seeded order: Fisher–Yates from the last position down (every permutation of the data
    /// loaders' epochs and streams).
    public mutating func permuted(_ items: [Int]) -> [Int] {
        var perm = items
        if perm.count > 1 {
            for i in stride(from: perm.count - 1, to: 0, by: -1) { perm.swapAt(i, int(below: i + 1)) }
        }
        return perm
    }
}

extension Tensor {
    /// Normal(0, std²) entries from `rng`.
    public static func randomNormal(_ shape: [Int], std: Float = 1, rng: inout SeededGenerator) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = rng.normal() * std }
        return t
    }

    /// Uniform(lo, hi) entries from `rng`.
    public static func randomUniform(_ shape: [Int], _ lo: Float, _ hi: Float, rng: inout SeededGenerator) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = lo + (hi - lo) * rng.uniform() }
        return t
    }
}

extension SeededGenerator {
    /// SplitMix64-style mixing of two words into one seed: the one rule for deriving seeds (loader epochs,
    /// attack and corruption streams).
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var z = a &+ 0x9E37_79B9_7F4A_7C15 &* (b &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `seed` with each of `streams` mixed in turn (`mix(mix(seed, s0), s1)`...): the seed of an independent
    /// stream named by coordinates (an attack's (attack, batch, restart), a corruption's (corruption, severity, image)).
    public static func seed(_ seed: UInt64, streams: [UInt64]) -> UInt64 { streams.reduce(seed, mix) }

    /// A generator on the stream of `seed` named by `streams` (`seed(_:streams:)`).
    public init(seed: UInt64, streams: [UInt64]) { self.init(seed: Self.seed(seed, streams: streams)) }
}
