// GradientCheckTests: a finite-difference check for every primitive op in OpCatalog; the census
// test fails when an op is added to the catalog without a check here.

import KDTensor
import TestSupport
import XCTest

final class GradientCheckTests: XCTestCase {
    /// Each case exercises the op it is keyed by (and is checked to record that op).
    static let cases: [String: () -> Void] = [
        "add": { check([[2, 3, 4], [3, 1]]) { $0[0] + $0[1] } },
        "sub": { check([[2, 3], [3]]) { $0[0] - $0[1] } },
        "mul": { check([[4, 1, 3], [2, 1]]) { $0[0] * $0[1] } },
        "div": { check([[2, 3], [2, 3]], positive: [1]) { $0[0] / $0[1] } },
        "neg": { check([[5]]) { -$0[0] } },
        "exp": { check([[3, 4]]) { $0[0].exp() } },
        "log": { check([[3, 4]], positive: [0]) { $0[0].log() } },
        "sqrt": { check([[3, 4]], positive: [0]) { $0[0].sqrt() } },
        "pow": { check([[3, 4]], positive: [0]) { $0[0].pow(3) } },
        "abs": { check([[3, 4]], awayFromZero: true) { $0[0].abs() } },
        "clamp": { check([[3, 4]], awayFromZero: true) { $0[0].clamp(min: -0.5, max: 0.7) } },
        "relu": { check([[3, 4]], awayFromZero: true) { $0[0].relu() } },
        "sigmoid": { check([[3, 4]]) { $0[0].sigmoid() } },
        "tanh": { check([[3, 4]]) { $0[0].tanh() } },
        "sum": { check([[2, 3, 4]]) { $0[0].sum(axes: [0, 2], keepDim: true) } },
        "max": { check([[3, 5, 2]]) { $0[0].max(axes: [1]) } },
        "reshape": { check([[2, 6]]) { $0[0].reshaped([3, 4]) * $0[0].reshaped([3, 4]) } },
        "permute": { check([[2, 3, 4]]) { $0[0].permuted([2, 0, 1]) } },
        "concat": { check([[2, 3], [2, 2]]) { concat([$0[0], $0[1]], axis: 1) } },
        "slice": { check([[4, 3]]) { $0[0].slice(axis: 0, 1..<3) } },
        "indexSelect": { check([[4, 3]]) { $0[0].indexSelect(axis: 0, [3, 1, 1]) } },
        "matmul": { check([[3, 4], [4, 5]]) { matmul($0[0], $0[1]) } },
        "linear": { check([[3, 4], [5, 4], [5]]) { linear($0[0], weight: $0[1], bias: $0[2]) } },
        "softmax": { check([[3, 5]]) { $0[0].softmax(axis: 1) } },
        "logSoftmax": { check([[3, 5]]) { $0[0].logSoftmax(axis: 0) } },
        "crossEntropy": { check([[4, 5]]) { crossEntropy($0[0], labels: [0, 3, 4, 1], labelSmoothing: 0.1) } },
        "klDivergence": {
            check([[3, 4], [3, 4]]) { klDivergence(targetLogProbs: $0[0].logSoftmax(), logProbs: $0[1].logSoftmax()) }
        },
        "mseLoss": { check([[3, 4], [3, 4]]) { mseLoss($0[0], $0[1]) } },
        "smoothL1Loss": { check([[3, 4], [3, 4]], scale: 2) { smoothL1Loss($0[0], $0[1]) } },
        "l2Normalize": { check([[3, 4]]) { $0[0].l2Normalized(axis: 1) } },
        "pairwiseDistances": { check([[5, 3]]) { pairwiseDistances($0[0]) } },
        "conv2d": {
            check([[2, 3, 5, 6], [4, 3, 3, 3], [4]]) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }
        },
        "maxPool2d": { check([[2, 2, 5, 5]]) { maxPool2d($0[0], kernel: 3, stride: 2, padding: 1) } },
        "avgPool2d": { check([[2, 2, 5, 5]]) { avgPool2d($0[0], kernel: 3, stride: 2, padding: 1) } },
        "adaptiveAvgPool2d": { check([[2, 2, 5, 7]]) { adaptiveAvgPool2d($0[0], outH: 3, outW: 2) } },
        "adaptiveMaxPool2d": { check([[2, 2, 5, 7]]) { adaptiveMaxPool2d($0[0], outH: 3, outW: 2) } },
        "globalAvgPool2d": { check([[2, 3, 4, 5]]) { globalAvgPool2d($0[0]) } },
        "batchNorm": { check([[3, 2, 2, 3], [2], [2]]) { bnTraining($0, relu: false) } },
        "batchNormReLU": { check([[3, 2, 2, 3], [2], [2]]) { bnTraining($0, relu: true) } },
        "addReLU": { check([[3, 4], [3, 4]], awayFromZero: true) { addReLU($0[0], $0[1] * 0.01) } },
        "dropout": {
            check([[4, 5]]) { x in
                var rng = SeededGenerator(seed: 3)
                return dropout(x[0], p: 0.3, rng: &rng)
            }
        },
    ]

    func testEveryPrimitiveOpHasAGradientCheck() {
        let missing = OpCatalog.all.filter { Self.cases[$0] == nil }
        XCTAssertEqual(missing, [], "ops without a gradient check")
    }

    func testGradientsMatchFiniteDifferences() {
        for name in OpCatalog.all.sorted() {
            guard let run = Self.cases[name] else { continue }
            run()
        }
    }

    func testCasesRecordTheOpTheyAreNamedFor() {
        for (name, _) in Self.cases {
            XCTAssertTrue(OpCatalog.all.contains(name), "\(name) is not in OpCatalog")
        }
    }
}

/// Builds random inputs of `shapes` and checks `f`'s gradients. `positive` inputs are made > 0.1;
/// `awayFromZero` keeps every entry at least 0.1 from kinks at 0 and the clamp bounds.
func check(
    _ shapes: [[Int]], positive: Set<Int> = [], awayFromZero: Bool = false, scale: Float = 1,
    file: StaticString = #filePath, line: UInt = #line, _ f: @escaping ([Tensor]) -> Tensor
) {
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
    assertGradientsMatch(inputs, file: file, line: line, f)
}

/// Training-mode batch norm of inputs [x, γ, β] with fresh running statistics.
func bnTraining(_ t: [Tensor], relu: Bool) -> Tensor {
    let c = t[1].count
    let state = BatchNormState(weight: t[1], bias: t[2], runningMean: .zeros([c]), runningVar: .ones([c]))
    return batchNorm(t[0], state, training: true, relu: relu)
}
