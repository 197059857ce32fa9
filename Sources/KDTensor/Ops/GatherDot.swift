// GatherDot: dot products of each row of `v` with rows of a constant matrix picked by index, without
// materialising the gathered rows (CRD's scores against a memory bank of the whole training set).

/// `out[b, j] = ⟨bank[indices[b·k + j]], v[b]⟩` for `v` `[B, D]`, `bank` `[N, D]` and `k` indices per row:
/// `[B, k]`. The bank is a constant (no gradient reaches it) and is read again by the backward pass, so
/// it must not change between this call and `backward()`. Gradient: `dv[b] = Σ_j g[b, j]·bank[indices[b·k + j]]`.
public func gatherDot(_ v: Tensor, bank: Tensor, indices: [Int32], perRow k: Int) -> Tensor {
    precondition(v.rank == 2 && bank.rank == 2 && v.shape[1] == bank.shape[1], "gatherDot: v \(v.shape), bank \(bank.shape)")
    let (b, d, n) = (v.shape[0], v.shape[1], bank.shape[0])
    precondition(indices.count == b * k, "gatherDot: \(indices.count) indices for \(b) rows of \(k)")
    precondition(indices.allSatisfy { $0 >= 0 && Int($0) < n }, "gatherDot: an index outside the bank's \(n) rows")
    let out = Tensor(uninitialized: [b, k])
    let (vp, mp, op) = (v.data, bank.data, out.data)
    indices.withUnsafeBufferPointer { idx in
        let ip = idx.baseAddress!
        Parallel.chunks(b * k, minPerThread: 4096) { range in
            for e in range { op[e] = Vector.dot(mp + Int(ip[e]) * d, vp + (e / k) * d, d) }
        }
    }
    return out.recorded(.gatherDot, [v]) { g in
        let dv = Tensor.zeros([b, d])
        let (gp, dp) = (g.data, dv.data)
        indices.withUnsafeBufferPointer { idx in
            let ip = idx.baseAddress!
            Parallel.chunks(b, minPerThread: 1) { rows in
                for r in rows {
                    for j in 0..<k { Vector.axpy(gp[r * k + j], mp + Int(ip[r * k + j]) * d, dp + r * d, d) }
                }
            }
        }
        return [dv]
    }
}
