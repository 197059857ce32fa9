// GradientCheckTests: a finite-difference check for every primitive `Op`; the census fails when a
// case is missing (the switch does not compile) or does not record its op on the tape.

import KDTensor
import TestSupport
import XCTest

final class GradientCheckTests: XCTestCase {
    /// Runs the finite-difference check of `op` and returns the ops its case recorded on the tape.
    /// The switch is exhaustive, so a new `Op` case does not compile without a check here.
    static func checkedOps(_ op: Op) -> Set<Op> {
        switch op {
        case .add: return check([[2, 3, 4], [3, 1]]) { $0[0] + $0[1] }
        case .sub: return check([[2, 3], [3]]) { $0[0] - $0[1] }
        case .mul: return check([[4, 1, 3], [2, 1]]) { $0[0] * $0[1] }
        case .div: return check([[2, 3], [2, 3]], positive: [1]) { $0[0] / $0[1] }
        case .neg: return check([[5]]) { -$0[0] }
        case .exp: return check([[3, 4]]) { $0[0].exp() }
        case .log: return check([[3, 4]], positive: [0]) { $0[0].log() }
        case .sqrt: return check([[3, 4]], positive: [0]) { $0[0].sqrt() }
        case .pow: return check([[3, 4]], positive: [0]) { $0[0].pow(3) }
        case .abs: return check([[3, 4]], awayFromZero: true) { $0[0].abs() }
        case .clamp: return check([[3, 4]], awayFromZero: true) { $0[0].clamp(min: -0.5, max: 0.7) }
        case .relu: return check([[3, 4]], awayFromZero: true) { $0[0].relu() }
        case .sigmoid: return check([[3, 4]]) { $0[0].sigmoid() }
        case .tanh: return check([[3, 4]]) { $0[0].tanh() }
        case .sum: return check([[2, 3, 4]]) { $0[0].sum(axes: [0, 2], keepDim: true) }
        case .max: return check([[3, 5, 2]]) { $0[0].max(axes: [1]) }
        case .reshape: return check([[2, 6]]) { $0[0].reshaped([3, 4]) * $0[0].reshaped([3, 4]) }
        case .permute: return check([[2, 3, 4]]) { $0[0].permuted([2, 0, 1]) }
        case .concat: return check([[2, 3], [2, 2]]) { concat([$0[0], $0[1]], axis: 1) }
        case .slice: return check([[4, 3]]) { $0[0].slice(axis: 0, 1..<3) }
        case .indexSelect: return check([[4, 3]]) { $0[0].indexSelect(axis: 0, [3, 1, 1]) }
        case .matmul: return check([[3, 4], [4, 5]]) { matmul($0[0], $0[1]) }
        case .linear: return check([[3, 4], [5, 4], [5]]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        case .symmetricEigen:  // Gram matrices with well-separated spectra (a fixed diagonal spreads them)
            let spread = Tensor(shape: [1, 4, 4], scalars: [6, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
            return check([[2, 5, 4]], scale: 0.5) { x in
                symmetricEigen(matmul(x[0], x[0], transposeA: true) + spread, top: 3).vectors
            }
        case .softmax: return check([[3, 5]]) { $0[0].softmax(axis: 1) }
        case .logSoftmax: return check([[3, 5]]) { $0[0].logSoftmax(axis: 0) }
        case .crossEntropy:  // also with two hidden labels (data.labeled) and a divisor of its own, and weighted samples
            return check([[4, 5]]) { crossEntropy($0[0], labels: [0, 3, 4, 1], labelSmoothing: 0.1) }
                .union(check([[4, 5]]) { crossEntropy($0[0], labels: [-1, 3, -1, 1], labelSmoothing: 0.1, divisor: 3) })
                .union(
                    check([[4, 5]]) {
                        crossEntropy($0[0], labels: [2, -1, 0, 4], labelSmoothing: 0.1, sampleWeights: [0.3, 2, 0, 1.7])
                    })
        case .klDivergence:  // also with a weight per sample (kd's class_adaptive), rows of 2 × 3 elements
            return check([[3, 4], [3, 4]]) { klDivergence(targetLogProbs: $0[0].logSoftmax(), logProbs: $0[1].logSoftmax()) }
                .union(
                    check([[3, 2, 3], [3, 2, 3]]) {
                        klDivergence(
                            targetLogProbs: $0[0].logSoftmax(), logProbs: $0[1].logSoftmax(), sampleWeights: [0.4, 0, 1.5])
                    })
        case .mseLoss: return check([[3, 4], [3, 4]]) { mseLoss($0[0], $0[1]) }
        case .smoothL1Loss: return check([[3, 4], [3, 4]], scale: 2) { smoothL1Loss($0[0], $0[1]) }
        case .l2Normalize: return check([[3, 4]]) { $0[0].l2Normalized(axis: 1) }
        case .pairwiseDistances: return check([[5, 3]]) { pairwiseDistances($0[0]) }
        case .gatherDot:
            let bank = randomTensor([6, 4], seed: 5)
            return check([[3, 4]]) { gatherDot($0[0], bank: bank, indices: [5, 0, 0, 2, 1, 3, 4, 4, 5], perRow: 3) }
        case .contrastiveNCE:
            let bank = randomTensor([6, 4], seed: 5, std: 0.5)
            return check([[3, 4]], scale: 0.5) { v in
                contrastiveNCE(
                    v[0], bank: bank, indices: [5, 0, 0, 2, 1, 3, 4, 4, 5], perRow: 3, temperature: 0.5, normalizer: 2)
            }
        case .conv2d:
            return check([[2, 3, 5, 6], [4, 3, 3, 3], [4]]) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }
        case .maxPool2d: return check([[2, 2, 5, 5]]) { maxPool2d($0[0], kernel: 3, stride: 2, padding: 1) }
        case .avgPool2d: return check([[2, 2, 5, 5]]) { avgPool2d($0[0], kernel: 3, stride: 2, padding: 1) }
        case .adaptiveAvgPool2d: return check([[2, 2, 5, 7]]) { adaptiveAvgPool2d($0[0], outH: 3, outW: 2) }
        case .adaptiveMaxPool2d: return check([[2, 2, 5, 7]]) { adaptiveMaxPool2d($0[0], outH: 3, outW: 2) }
        case .globalAvgPool2d: return check([[2, 3, 4, 5]]) { globalAvgPool2d($0[0]) }
        case .batchNorm: return check([[3, 2, 2, 3], [2], [2]]) { bnTraining($0, relu: false) }
        case .batchNormReLU: return check([[3, 2, 2, 3], [2], [2]]) { bnTraining($0, relu: true) }
        case .addReLU: return check([[3, 4], [3, 4]], awayFromZero: true) { addReLU($0[0], $0[1] * 0.01) }
        case .resizeNearest2d:  // up on one axis, down (non-integer ratio) on the other
            return check([[2, 2, 3, 7]]) { resizeNearest2d($0[0], outH: 5, outW: 4) }
        case .fakeQuantize:  // a staircase: finite differences measure 0 or a jump, never the STE; hand-computed instead
            return FakeQuantizeTests.straightThroughChecked()
        case .dropout:
            return check([[4, 5]]) { x in
                var rng = SeededGenerator(seed: 3)
                return dropout(x[0], p: 0.3, rng: &rng)
            }
        }
    }

    /// Every op's gradient matches finite differences, and each case records the op it checks (so
    /// the census cannot be satisfied by a case that never reaches its op).
    func testEveryOpIsGradientCheckedOnTheTape() {
        var seen = Set<Op>()
        for op in Op.allCases {
            let ops = Self.checkedOps(op)
            XCTAssertTrue(ops.contains(op), "the \(op) case records only \(ops.map(\.rawValue).sorted())")
            seen.formUnion(ops)
        }
        XCTAssertEqual(Set(Op.allCases).subtracting(seen), [], "ops never seen on a checked tape")
    }
}

/// Builds random inputs of `shapes` and checks `f`'s gradients; returns the ops `f` recorded.
/// `positive` inputs are made > 0.1; `awayFromZero` keeps every entry at least 0.1 from kinks at 0
/// and the clamp bounds.
@discardableResult
func check(
    _ shapes: [[Int]], positive: Set<Int> = [], awayFromZero: Bool = false, scale: Float = 1,
    file: StaticString = #filePath, line: UInt = #line, _ f: @escaping ([Tensor]) -> Tensor
) -> Set<Op> {
    let inputs = shapes.enumerated().map { i, s -> Tensor in
        let t = randomTensor(s, seed: UInt64(11 + i), std: scale)
        for j in 0..<t.count {
            if positive.contains(i) { t.data[j] = Swift.abs(t.data[j]) + 0.1 }
            if awayFromZero {
                for kink: Float in [0, -0.5, 0.7] where Swift.abs(t.data[j] - kink) < 0.1 { t.data[j] = kink + 0.15 }
            }
        }
        return t
    }
    return assertGradientsMatch(inputs, file: file, line: line, f)
}

/// Training-mode batch norm of inputs [x, γ, β] with fresh running statistics.
func bnTraining(_ t: [Tensor], relu: Bool) -> Tensor {
    let c = t[1].count
    let state = BatchNormState(weight: t[1], bias: t[2], runningMean: .zeros([c]), runningVar: .ones([c]))
    return batchNorm(t[0], state, training: true, relu: relu)
}
