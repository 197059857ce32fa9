// Dropout: zero each element with probability p and scale the rest by 1/(1−p) (inverted dropout),
// with the mask drawn from a seeded generator so runs repeat exactly.

/// Inverted dropout in training; the identity when `p == 0`.
public func dropout(_ x: Tensor, p: Float, rng: inout SeededGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
    if p == 0 { return x }
    let mask = Tensor(uninitialized: x.shape)
    let keep = 1 / (1 - p)
    for i in 0..<mask.count { mask.data[i] = rng.uniform() < p ? 0 : keep }
    let out = Tensor(uninitialized: x.shape)
    Vector.zip(x.data, mask.data, out.data, x.count, *)
    return out.recorded(.dropout, [x]) { g in [g.zipRaw(mask) { g, m in g * m }] }
}
