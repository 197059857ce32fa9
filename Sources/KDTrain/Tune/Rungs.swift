// Rungs: the epochs successive halving stops at (beyond.md 4.4, Li et al. 2020), anchored at the top:
// K = floor(log_η(R/r)), rung k trains to e_k = ceil(R / η^(K−k)), k = 0..K (r 1, R 9, η 3: 1, 3, 9).

/// The rung epochs of a study.
public struct Rungs: Equatable, Sendable {
    /// e_0 < e_1 < ... < e_K = R.
    public let epochs: [Int]

    /// Rungs for minimum epochs `r` ≥ 1, maximum `R` ≥ r and reduction factor `eta` ≥ 2 (integer arithmetic).
    public init(minEpochs r: Int, maxEpochs R: Int, eta: Int) {
        let (r, R, eta) = (max(1, r), max(1, R), max(2, eta))
        var K = 0, reach = r
        while reach <= R / eta && reach * eta <= R {
            reach *= eta
            K += 1
        }
        var result: [Int] = []
        for k in 0...K {
            var d = 1
            for _ in 0..<(K - k) { d *= eta }
            result.append((R + d - 1) / d)
        }
        epochs = result
    }

    /// A single rung at R (`--scheduler none`: every trial trains to the end).
    public init(only R: Int) { epochs = [max(1, R)] }

    /// K, the top rung's index.
    public var top: Int { epochs.count - 1 }
}
