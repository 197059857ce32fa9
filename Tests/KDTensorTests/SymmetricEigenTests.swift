// SymmetricEigenTests: the tridiagonal QL eigendecomposition against its Jacobi twin and against what a
// decomposition must satisfy (G = VΛVᵀ, VᵀV = I, descending order, the sign convention), a closed-form
// 2 × 2 case, and finite gradients when eigenvalues tie.

import KDTensor
import TestSupport
import XCTest

final class SymmetricEigenTests: XCTestCase {
    /// Random Gram matrices `[B, C, C]` of `[B, N, C]` maps (rank min(N, C)).
    func gram(_ b: Int, _ n: Int, _ c: Int, seed: UInt64) -> Tensor {
        let x = randomTensor([b, n, c], seed: seed)
        return matmul(x, x, transposeA: true)
    }

    func testReconstructionOrthonormalityOrderAndSigns() {
        for (n, c) in [(9, 5), (3, 6), (40, 16)] {  // full rank, rank-deficient (zero eigenvalues), larger
            let g = gram(3, n, c, seed: UInt64(n * c))
            let (v, l) = symmetricEigen(g, top: c)
            let vs = v.scalars, ls = l.scalars, gs = g.scalars
            for b in 0..<3 {
                for i in 0..<c {
                    for j in 0..<c {
                        var rec = 0.0, dot = 0.0
                        for m in 0..<c {
                            let (vi, vj) = (Double(vs[(b * c + i) * c + m]), Double(vs[(b * c + j) * c + m]))
                            rec += vi * Double(ls[b * c + m]) * vj
                            dot += Double(vs[(b * c + m) * c + i]) * Double(vs[(b * c + m) * c + j])
                        }
                        let scale = Double(ls[b * c])
                        XCTAssertEqual(rec, Double(gs[(b * c + i) * c + j]), accuracy: 1e-5 * scale, "G = VΛVᵀ (\(n), \(c))")
                        XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-5, "VᵀV = I (\(n), \(c))")
                    }
                }
                for j in 1..<c { XCTAssertGreaterThanOrEqual(ls[b * c + j - 1], ls[b * c + j]) }
                for j in 0..<c {
                    let column = (0..<c).map { vs[(b * c + $0) * c + j] }
                    let largest = column.max { Swift.abs($0) < Swift.abs($1) } ?? 0
                    XCTAssertGreaterThan(largest, 0, "the entry of largest magnitude is positive")
                }
            }
        }
    }

    func testMatchesTheJacobiTwin() {
        for (n, c) in [(12, 7), (40, 16), (80, 33), (9, 1)] {  // full rank: distinct eigenvalues
            let g = gram(2, n, c, seed: UInt64(3 * n + c))
            let (v, l) = symmetricEigen(g, top: c)
            for b in 0..<2 {
                let twin = Reference.symmetricEigen(Array(g.scalars[(b * c * c)..<((b + 1) * c * c)]), n: c)
                let scale = Float(twin.values[0])
                assertClose(
                    Array(l.scalars[(b * c)..<((b + 1) * c)]), twin.values.map { Float($0) }, atol: 1e-6 * scale,
                    rtol: 1e-5, "eigenvalues \(c)")
                assertClose(
                    Array(v.scalars[(b * c * c)..<((b + 1) * c * c)]), twin.vectors.map { Float($0) }, atol: 1e-4, rtol: 0,
                    "eigenvectors \(c)")
            }
        }
    }

    func testClosedFormTwoByTwoAndTopK() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors ±(1, 1)/√2 and ±(1, −1)/√2; the entries of
        // largest magnitude tie, and the first one is made positive.
        let g = Tensor(shape: [1, 2, 2], scalars: [2, 1, 1, 2])
        let (v, l) = symmetricEigen(g, top: 2)
        assertClose(l.scalars, [3, 1], atol: 1e-6)
        let r = Float(0.5).squareRoot()
        assertClose(v.scalars, [r, r, r, -r], atol: 1e-6)
        let (v1, l1) = symmetricEigen(Tensor(shape: [1, 3, 3], scalars: [1, 0, 0, 0, -4, 0, 0, 0, 5]), top: 1)
        assertClose(l1.scalars, [5], atol: 1e-6)
        assertClose(v1.scalars, [0, 0, 1], atol: 1e-6)
    }

    func testTiedEigenvaluesGiveFiniteGradients() {
        let g = Tensor(shape: [1, 3, 3], scalars: [2, 0, 0, 0, 2, 0, 0, 0, 1], requiresGrad: true)
        let (v, _) = symmetricEigen(g, top: 2)
        (v * randomTensor([1, 3, 2], seed: 4)).sum().backward()
        let grad = g.grad?.scalars ?? []
        XCTAssertEqual(grad.count, 9)
        XCTAssertTrue(grad.allSatisfy(\.isFinite), "\(grad)")
    }

    func testNonFiniteInputGivesZeros() {
        let (v, l) = symmetricEigen(Tensor(shape: [1, 2, 2], scalars: [.nan, 0, 0, 1]), top: 2)
        XCTAssertTrue(v.scalars.allSatisfy(\.isFinite) && l.scalars.allSatisfy(\.isFinite))
    }
}
