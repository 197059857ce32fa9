// Softmax: fused, numerically stable softmax, log-softmax and cross-entropy (with optional label
// smoothing). Rows are shifted by their maximum before exponentiating.

import Foundation

extension Tensor {
    /// Runs `body(rowStart, stride)` for every softmax row along `axis` ([outer, r, inner] layout).
    func forEachRow(axis: Int, _ body: (Int, Int, Int) -> Void) {
        let ax = axis < 0 ? axis + rank : axis
        let outer = shape[..<ax].reduce(1, *), r = shape[ax], inner = shape[(ax + 1)...].reduce(1, *)
        Parallel.chunks(outer * inner, minPerThread: Swift.max(1, 8192 / Swift.max(r, 1))) { range in
            for p in range { body((p / inner) * r * inner + p % inner, inner, r) }
        }
    }

    /// exp(x_i − max) / Σ exp(x_j − max) along `axis`.
    public func softmax(axis: Int = -1) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let x = data, y = out.data
        forEachRow(axis: axis) { start, s, r in
            var m = -Float.infinity
            for j in 0..<r { m = Swift.max(m, x[start + j * s]) }
            var z: Float = 0
            for j in 0..<r { let e = Foundation.exp(x[start + j * s] - m); y[start + j * s] = e; z += e }
            let inv = 1 / z
            for j in 0..<r { y[start + j * s] *= inv }
        }
        let saved = out.detached()
        return out.recorded(.softmax, [self]) { g in
            // dx = y ⊙ (g − Σ g⊙y)
            let dx = Tensor(uninitialized: saved.shape)
            let gp = g.data, yp = saved.data, d = dx.data
            saved.forEachRow(axis: axis) { start, s, r in
                var dot: Float = 0
                for j in 0..<r { dot += gp[start + j * s] * yp[start + j * s] }
                for j in 0..<r { d[start + j * s] = yp[start + j * s] * (gp[start + j * s] - dot) }
            }
            return [dx]
        }
    }

    /// x_i − max − log Σ exp(x_j − max) along `axis`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let x = data, y = out.data
        forEachRow(axis: axis) { start, s, r in
            var m = -Float.infinity
            for j in 0..<r { m = Swift.max(m, x[start + j * s]) }
            var z: Float = 0
            for j in 0..<r { z += Foundation.exp(x[start + j * s] - m) }
            let lse = m + Foundation.log(z)
            for j in 0..<r { y[start + j * s] = x[start + j * s] - lse }
        }
        let saved = out.detached()
        return out.recorded(.logSoftmax, [self]) { g in
            // dx = g − softmax ⊙ Σ g
            let dx = Tensor(uninitialized: saved.shape)
            let gp = g.data, yp = saved.data, d = dx.data
            saved.forEachRow(axis: axis) { start, s, r in
                var total: Float = 0
                for j in 0..<r { total += gp[start + j * s] }
                for j in 0..<r { d[start + j * s] = gp[start + j * s] - Foundation.exp(yp[start + j * s]) * total }
            }
            return [dx]
        }
    }
}

/// Cross-entropy of `logits` `[B, K]` against integer `labels` (each in `0..<K`), summed and divided by
/// `divisor` (default B: the mean). A negative label marks a sample without one: it adds nothing and gets
/// no gradient (PyTorch's `ignore_index`), so `data.labeled` hides labels without changing the batch.
/// With `labelSmoothing` ε the target is `(1 − ε)·onehot + ε/K`. `sampleWeights` `[B]`, when given, multiply
/// each sample's term and its gradient (kd's `class_adaptive`: a weight per class of the label).
public func crossEntropy(
    _ logits: Tensor, labels: [Int32], labelSmoothing: Float = 0, divisor: Int? = nil, sampleWeights: [Float]? = nil
) -> Tensor {
    precondition(
        logits.rank == 2 && logits.shape[0] == labels.count,
        "crossEntropy: logits \(logits.shape) vs \(labels.count) labels")
    precondition(sampleWeights.map { $0.count == labels.count } ?? true, "crossEntropy: sample weights vs \(labels.count) labels")
    let (b, k) = (logits.shape[0], logits.shape[1])
    let denominator = Float(divisor ?? b)
    precondition(denominator > 0, "crossEntropy: divisor \(denominator)")
    let probs = Tensor(uninitialized: [b, k])
    let x = logits.data, p = probs.data
    var total: Double = 0
    let eps = labelSmoothing
    for i in 0..<b {
        let y = Int(labels[i])
        guard y >= 0 else { continue }
        precondition(y < k, "crossEntropy: label \(y) outside 0..<\(k)")
        let row = x + i * k
        var m = -Float.infinity
        for j in 0..<k { m = Swift.max(m, row[j]) }
        var z: Float = 0, sumLogits: Float = 0
        for j in 0..<k { let e = exp(row[j] - m); p[i * k + j] = e; z += e; sumLogits += row[j] }
        let lse = m + log(z)
        let inv = 1 / z
        for j in 0..<k { p[i * k + j] *= inv }
        let w = sampleWeights?[i] ?? 1
        total += Double(w * ((1 - eps) * (lse - row[y]) + eps * (lse - sumLogits / Float(k))))
    }
    let out = Tensor(Float(total / Double(denominator)))
    return out.recorded(.crossEntropy, [logits]) { g in
        // dz = w_i · (softmax − target) / divisor for a labelled row, 0 for an unlabelled one
        let dz = Tensor(uninitialized: [b, k])
        let scale = g.item / denominator, d = dz.data
        for i in 0..<b {
            let y = Int(labels[i])
            guard y >= 0 else {
                (d + i * k).initialize(repeating: 0, count: k)
                continue
            }
            let s = scale * (sampleWeights?[i] ?? 1)
            for j in 0..<k { d[i * k + j] = (p[i * k + j] - eps / Float(k)) * s }
            d[i * k + y] -= (1 - eps) * s
        }
        _ = probs
        return [dz]
    }
}
