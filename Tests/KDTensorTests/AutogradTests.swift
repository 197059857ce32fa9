// AutogradTests: the tape's contract: gradients accumulate across backward calls and along shared
// paths, noGrad records nothing, detach stops gradients, and composite ops (cosine similarity)
// differentiate correctly through their primitives.

import KDTensor
import TestSupport
import XCTest

final class AutogradTests: XCTestCase {
    func testGradientsAccumulateAcrossBackwardCallsUntilCleared() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [2 * 1 + 3, 2 * 2 + 3])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testSharedSubexpressionsSumTheirGradients() {
        // y = a·b + a·a: dy/da = b + 2a, dy/db = a.
        let a = Tensor(shape: [3], scalars: [1, -2, 3], requiresGrad: true)
        let b = Tensor(shape: [3], scalars: [4, 5, -6], requiresGrad: true)
        (a * b + a * a).sum().backward()
        XCTAssertEqual(a.grad?.scalars, [6, 1, 0])
        XCTAssertEqual(b.grad?.scalars, [1, -2, 3])
    }

    func testNoGradRecordsNothingAndDetachStopsGradients() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = noGrad { x * x }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertNil(y.recordedOp)
        let z = x * x.detached()  // d/dx of x·stop(x) = stop(x)
        z.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [1, 2])
        XCTAssertTrue(GradMode.isEnabled)
    }

    func testBackwardReleasesTheGraph() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = (x.exp() * 2).sum()
        XCTAssertEqual(y.recordedOp, .sum)
        XCTAssertEqual(y.opsOnTape, [.exp, .mul, .sum])
        y.backward()
        XCTAssertNil(y.recordedOp, "the recorded graph is consumed by backward()")
        XCTAssertEqual(y.opsOnTape, [])
    }

    func testCosineSimilarityGradient() {
        assertGradientsMatch([randomTensor([3, 5], seed: 2), randomTensor([3, 5], seed: 3)]) {
            cosineSimilarity($0[0], $0[1], axis: 1)
        }
        let a = Tensor(shape: [1, 2], scalars: [1, 0]), b = Tensor(shape: [1, 2], scalars: [1, 1])
        XCTAssertEqual(cosineSimilarity(a, b).item, 1 / Float(2).squareRoot(), accuracy: 1e-6)
    }

    func testBroadcastGradientsSumToOperandShapes() {
        let x = randomTensor([2, 3, 4], seed: 5), bias = randomTensor([3, 1], seed: 6)
        assertGradientsMatch([x, bias]) { ($0[0] + $0[1]) * $0[1] }
    }
}

final class InputGradientFunctionTests: XCTestCase {
    func testInputGradientOfAQuadraticHoldsTheOtherTensorFixed() {
        // f(x) = Σ w ⊙ x²: ∂f/∂x = 2 w ⊙ x; w is held fixed and gets no gradient.
        let w = Tensor(shape: [3], scalars: [1, -2, 0.5], requiresGrad: true)
        let x = Tensor(shape: [3], scalars: [3, 1, -4])
        let (value, gradient) = inputGradient(of: x, holdingFixed: [w]) { ($0 * $0 * w).sum() }
        XCTAssertEqual(value, 9 - 2 + 8)
        XCTAssertEqual(gradient.scalars, [6, -4, -4])
        XCTAssertNil(w.grad)
        XCTAssertTrue(w.requiresGrad)
        XCTAssertFalse(x.requiresGrad)
        XCTAssertNil(x.grad)
        // Inside noGrad too (an attack inside an evaluation loop).
        let again = noGrad { inputGradient(of: x, holdingFixed: [w]) { ($0 * $0 * w).sum() } }
        XCTAssertEqual(again.gradient.scalars, [6, -4, -4])
    }
}
