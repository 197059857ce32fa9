// InputGradientTests: gradients with respect to a network's input (what every attack follows) against
// finite differences, in evaluation mode, with the weights held fixed and their gradients untouched.

import KDNN
import KDTensor
import TestSupport
import XCTest

final class InputGradientTests: XCTestCase {
    /// A zoo model whose batch-norm running statistics are no longer the identity (a few training passes).
    func trainedStatistics(_ name: String, _ shape: [Int]) throws -> Model {
        let model = try Zoo.build(ModelSpec(name: name, inputShape: shape, numClasses: 10), seed: 3)
        let ctx = ForwardContext(training: true, seed: 1)
        for s in 0..<3 { _ = noGrad { model.forward(randomTensor([4] + shape, seed: 10 + UInt64(s)), ctx) } }
        return model
    }

    func checkInputGradient(_ name: String, _ shape: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try trainedStatistics(name, shape)
        let labels: [Int32] = [3, 7]
        let x = randomTensor([2] + shape, seed: 5)
        let (value, gradient) = model.inputGradient(x, .eval) { crossEntropy($0.logits, labels: labels) }
        XCTAssertEqual(gradient.shape, x.shape, file: file, line: line)
        XCTAssertFalse(x.requiresGrad, "the input itself stays off the tape", file: file, line: line)
        XCTAssertTrue(
            model.parameters.allSatisfy { $0.requiresGrad && $0.grad == nil }, "weights untouched", file: file, line: line)
        let loss = { (input: Tensor) -> Double in
            Double(noGrad { crossEntropy(model.forward(input, .eval).logits, labels: labels) }.item)
        }
        XCTAssertEqual(Double(value), loss(x), accuracy: 1e-5, file: file, line: line)
        // Central differences at h = 1e-3 (larger steps cross ReLU kinks often): the float32 loss rounds at
        // about 1e-7, so the quotient carries about 1e-4 of noise; held to 3e-4 plus 2% of the gradient.
        let h: Float = 1e-3
        var worst = 0.0
        for i in stride(from: 0, to: x.count, by: x.count / 37) {
            let probe = x.copy()
            probe.data[i] += h
            let up = loss(probe)
            probe.data[i] -= 2 * h
            let numeric = (up - loss(probe)) / Double(2 * h), analytic = Double(gradient.data[i])
            worst = max(worst, abs(numeric - analytic) / (3e-4 + 2e-2 * max(abs(analytic), abs(numeric))))
        }
        XCTAssertLessThanOrEqual(worst, 1, "\(name): worst input-gradient error over its allowance", file: file, line: line)
    }

    func testLeNet5InputGradientMatchesFiniteDifferences() throws { try checkInputGradient("lenet5", [1, 28, 28]) }

    func testResNetInputGradientMatchesFiniteDifferences() throws { try checkInputGradient("resnet8", [3, 32, 32]) }

    func testMLPInputGradientMatchesFiniteDifferences() throws { try checkInputGradient("mlp-64", [1, 8, 8]) }

    func testWeightGradientsOfAnOngoingStepAreLeftAlone() throws {
        let model = try trainedStatistics("lenet5", [1, 28, 28])
        let x = randomTensor([2, 1, 28, 28], seed: 9)
        crossEntropy(model.forward(x, .eval).logits, labels: [1, 2]).backward()
        let before = model.parameters.map { $0.grad?.scalars ?? [] }
        _ = model.inputGradient(x, .eval) { crossEntropy($0.logits, labels: [4, 5]) }
        XCTAssertEqual(model.parameters.map { $0.grad?.scalars ?? [] }, before)
        XCTAssertTrue(GradMode.isEnabled)
        noGrad { _ = model.inputGradient(x, .eval) { crossEntropy($0.logits, labels: [4, 5]) } }
        XCTAssertFalse(noGrad { GradMode.isEnabled })
    }
}
