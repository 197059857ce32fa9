// Losses: KL divergence (batchmean, from log-probabilities), mean squared error and Huber
// (smooth L1) loss, each fused with its gradient.

import Foundation

/// Σ_b w_b Σ_k p_t (log p_t − log q) / B for `targetLogProbs` (log p_t) and `logProbs` (log q), `[B, ...]`,
/// with `sampleWeights` w `[B]` (default all 1: batchmean; kd's `class_adaptive` weighs each sample by the
/// class of its label). Gradients flow to both arguments; detach the target to freeze it.
public func klDivergence(targetLogProbs lt: Tensor, logProbs lq: Tensor, sampleWeights: [Float]? = nil) -> Tensor {
    precondition(lt.shape == lq.shape && lt.rank >= 1, "klDivergence: \(lt.shape) vs \(lq.shape)")
    let b = Float(lt.shape[0]), n = lt.count, row = n / max(lt.shape[0], 1)
    precondition(sampleWeights.map { $0.count == lt.shape[0] } ?? true, "klDivergence: sample weights vs \(lt.shape)")
    let t = lt.data, q = lq.data
    var total: Double = 0
    for i in 0..<n {
        let p = exp(t[i])
        if p > 0 { total += Double((sampleWeights?[i / row] ?? 1) * p * (t[i] - q[i])) }
    }
    let (st, sq) = (lt.detached(), lq.detached())
    // The weight of each element's sample, laid out as the inputs (nil: all 1).
    let w: Tensor? = sampleWeights.map { ws in
        let out = Tensor(uninitialized: lt.shape)
        for i in 0..<n { out.data[i] = ws[i / row] }
        return out
    }
    return Tensor(Float(total) / b).recorded(.klDivergence, [lt, lq]) { g in
        let scale = g.item / b
        var dt: Tensor? =
            lt.requiresGrad
            ? st.zipRaw(sq) { t, q in
                let p = exp(t); return p > 0 ? scale * p * (t - q + 1) : 0
            } : nil
        var dq: Tensor? = lq.requiresGrad ? st.unaryMap { -scale * exp($0) } : nil
        if let w {
            dt = dt?.zipRaw(w, *)
            dq = dq?.zipRaw(w, *)
        }
        return [dt, dq]
    }
}

/// Mean over all elements of (a − b)².
public func mseLoss(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "mseLoss: \(a.shape) vs \(b.shape)")
    let n = a.count
    let diff = a.broadcastMap(b, .mseLoss, -)
    let value = Vector.dot(diff.data, diff.data, n) / Float(n)
    return Tensor(value).recorded(.mseLoss, [a, b]) { g in
        let s = 2 * g.item / Float(n)
        return [a.requiresGrad ? diff.unaryMap { s * $0 } : nil, b.requiresGrad ? diff.unaryMap { -s * $0 } : nil]
    }
}

/// Mean over all elements of Huber(a − b) with δ = `delta` (PyTorch's smooth_l1 for δ = 1).
public func smoothL1Loss(_ a: Tensor, _ b: Tensor, delta: Float = 1) -> Tensor {
    precondition(a.shape == b.shape, "smoothL1Loss: \(a.shape) vs \(b.shape)")
    let n = a.count
    let diff = a.broadcastMap(b, .smoothL1Loss, -)
    var total: Double = 0
    for i in 0..<n {
        let d = abs(diff.data[i])
        total += Double(d < delta ? 0.5 * d * d / delta : d - 0.5 * delta)
    }
    return Tensor(Float(total / Double(n))).recorded(.smoothL1Loss, [a, b]) { g in
        let s = g.item / Float(n)
        let da = diff.unaryMap { d in s * (abs(d) < delta ? d / delta : (d > 0 ? 1 : -1)) }
        return [a.requiresGrad ? da : nil, b.requiresGrad ? da.unaryMap { -$0 } : nil]
    }
}
