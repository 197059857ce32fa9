// MatMul: matrix products through Gemm: `matmul` (2-D, or batched 3-D, with optional transposes)
// and `linear` (x·Wᵀ + b, PyTorch's weight layout), each with its GEMM-based backward.

/// op(a) · op(b). 2-D: `[M, K]·[K, N]`; 3-D: `[B, M, K]·[B, K, N]` per batch entry.
/// `transposeA` reads a as `[.., K, M]`; `transposeB` reads b as `[.., N, K]`.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank == b.rank && (a.rank == 2 || a.rank == 3), "matmul: ranks \(a.shape) and \(b.shape)")
    let batched = a.rank == 3
    let batch = batched ? a.shape[0] : 1
    precondition(!batched || b.shape[0] == batch, "matmul: batch \(a.shape[0]) vs \(b.shape[0])")
    let (ar, ac) = (a.dim(-2), a.dim(-1)), (br, bc) = (b.dim(-2), b.dim(-1))
    let (m, k) = transposeA ? (ac, ar) : (ar, ac)
    let (k2, n) = transposeB ? (bc, br) : (br, bc)
    precondition(k == k2, "matmul: inner dims \(k) and \(k2) differ (\(a.shape) · \(b.shape))")
    let out = Tensor(uninitialized: batched ? [batch, m, n] : [m, n])
    for i in 0..<batch {
        Gemm.parallelSgemm(
            transA: transposeA, transB: transposeB, m: m, n: n, k: k,
            a: a.data + i * ar * ac, lda: ac, b: b.data + i * br * bc, ldb: bc,
            c: out.data + i * m * n, ldc: n)
    }
    let (sa, sb) = (a.detached(), b.detached())
    return out.recorded(.matmul, [a, b]) { g in
        // C = op(A)·op(B): dA = dC·op(B)ᵀ (stored back in A's layout), dB = op(A)ᵀ·dC likewise.
        let da: Tensor? =
            a.requiresGrad
            ? (transposeA
                ? matmul(sb, g, transposeA: transposeB, transposeB: true)
                : matmul(g, sb, transposeA: false, transposeB: !transposeB)) : nil
        let db: Tensor? =
            b.requiresGrad
            ? (transposeB
                ? matmul(g, sa, transposeA: true, transposeB: transposeA)
                : matmul(sa, g, transposeA: !transposeA, transposeB: false)) : nil
        return [da, db]
    }
}

/// `x · weightᵀ + bias`: x `[N, in]`, weight `[out, in]`, bias `[out]` → `[N, out]`.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(
        x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
        "linear: input \(x.shape) vs weight \(weight.shape)")
    let (n, fin, fout) = (x.shape[0], x.shape[1], weight.shape[0])
    let out = Tensor(uninitialized: [n, fout])
    if let bias {
        for r in 0..<n { (out.data + r * fout).update(from: bias.data, count: fout) }
    }
    Gemm.parallelSgemm(
        transB: true, m: n, n: fout, k: fin, a: x.data, lda: fin, b: weight.data, ldb: fin,
        beta: bias == nil ? 0 : 1, c: out.data, ldc: fout)
    let (sx, sw) = (x.detached(), weight.detached())
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return out.recorded(.linear, inputs) { g in
        var grads: [Tensor?] = []
        if x.requiresGrad {
            let dx = Tensor(uninitialized: [n, fin])
            Gemm.parallelSgemm(m: n, n: fin, k: fout, a: g.data, lda: fout, b: sw.data, ldb: fin, c: dx.data, ldc: fin)
            grads.append(dx)
        } else {
            grads.append(nil)
        }
        if weight.requiresGrad {
            let dw = Tensor(uninitialized: [fout, fin])
            Gemm.parallelSgemm(
                transA: true, m: fout, n: fin, k: n, a: g.data, lda: fout, b: sx.data, ldb: fin, c: dw.data, ldc: fin)
            grads.append(dw)
        } else {
            grads.append(nil)
        }
        if let bias { grads.append(bias.requiresGrad ? g.sum(axes: [0]) : nil) }
        return grads
    }
}
