// NaiveBatchNorm: batch normalisation in training mode, forward and backward, computed in Double
// straight from the definitions; the twin BatchNormKernels is tested against.

extension Reference {
    /// Forward (y) and backward (dx, dγ, dβ) of training-mode batch norm (+ ReLU when `relu`).
    public static func batchNorm(
        x: [Float], gamma: [Float], beta: [Float], dy: [Float], n: Int, c: Int, hw: Int,
        eps: Double, relu: Bool
    )
        -> (y: [Float], dx: [Float], dGamma: [Float], dBeta: [Float])
    {
        var y = [Float](repeating: 0, count: x.count), dx = y
        var dGamma = [Float](repeating: 0, count: c), dBeta = dGamma
        let m = Double(n * hw)
        for ch in 0..<c {
            let idx = (0..<n).flatMap { i in (0..<hw).map { (i * c + ch) * hw + $0 } }
            let mean = idx.reduce(0.0) { $0 + Double(x[$1]) } / m
            let variance = idx.reduce(0.0) { $0 + (Double(x[$1]) - mean) * (Double(x[$1]) - mean) } / m
            let inv = 1 / (variance + eps).squareRoot()
            var g = [Double](repeating: 0, count: idx.count), xhat = g
            for (k, i) in idx.enumerated() {
                xhat[k] = (Double(x[i]) - mean) * inv
                let v = xhat[k] * Double(gamma[ch]) + Double(beta[ch])
                y[i] = Float(relu ? max(v, 0) : v)
                g[k] = (relu && v <= 0) ? 0 : Double(dy[i])
            }
            let sumG = g.reduce(0, +), sumGX = zip(g, xhat).reduce(0.0) { $0 + $1.0 * $1.1 }
            dGamma[ch] = Float(sumGX)
            dBeta[ch] = Float(sumG)
            for (k, i) in idx.enumerated() {
                dx[i] = Float(Double(gamma[ch]) * inv * (g[k] - sumG / m - xhat[k] * sumGX / m))
            }
        }
        return (y, dx, dGamma, dBeta)
    }
}
