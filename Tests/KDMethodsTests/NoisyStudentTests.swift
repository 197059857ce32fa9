// NoisyStudentTests (Xie et al. 2020): the step loss against PyTorch (scripts/golden/few_labels.py) with
// soft and hard pseudo-labels, the pseudo-label selection (threshold, the deterministic balancing rule),
// and the generation plan with the method's noise.

import Foundation
import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class NoisyStudentTests: XCTestCase {
    typealias G = FewLabelsGolden

    private func labeling(hard: Bool = false, threshold: Float = 0, balance: Bool = true, perClass: Int? = nil) -> PseudoLabeling
    {
        PseudoLabeling(
            hard: hard, temperature: 2, threshold: threshold, balance: balance, perClass: perClass, unlabeledRatio: 5,
            labelSmoothing: 0.1)
    }

    func testStepLossMatchesPyTorch() {
        for (hard, terms, gradient) in [(false, G.softTerms, G.softGradient), (true, G.hardTerms, G.hardGradient)] {
            let teacher = Tensor(shape: [6, 5], scalars: G.teacher)
            let loss = NoisyStudentLoss(targets: labeling(hard: hard).targets(teacher), ratio: 5, labelSmoothing: 0.1)
            let z = Tensor(shape: [6, 5], scalars: G.student, requiresGrad: true)
            let step = StepContext(
                labels: G.labels, student: ModelOutput(logits: z, taps: [:]), teachers: [], epoch: 0,
                stage: Stage("train", epochs: 1),
                indices: Array(0..<6))
            let out = loss.losses(step)
            XCTAssertEqual(out.map(\.name), ["ce", "pseudo"])
            assertClose(
                [out[0].value.item, out[1].value.item], [terms.ce, terms.pseudo], atol: 1e-6, rtol: 1e-5, "hard \(hard)")
            (out[0].value + out[1].value).backward()
            assertClose(z.grad!.scalars, gradient, atol: 1e-6, rtol: 1e-4, "hard \(hard) gradient")
        }
    }

    func testTargetsLookedUpByTrainingPosition() {
        // Row 1 of the batch is training image 4: its target row, not row 1's, is used.
        let targets = Tensor.zeros([5, 3])
        targets.data[4 * 3 + 2] = 1
        let loss = NoisyStudentLoss(targets: targets, ratio: 1, labelSmoothing: 0)
        let z = Tensor(shape: [2, 3], scalars: [0, 0, 0, 1, 2, 3])
        let step = StepContext(
            labels: [0, -1], student: ModelOutput(logits: z, taps: [:]), teachers: [], epoch: 0, stage: Stage("train", epochs: 1),
            indices: [0, 4])
        let expected = -Double(z.logSoftmax(axis: 1).data[5])
        XCTAssertEqual(Double(loss.losses(step)[1].value.item), expected, accuracy: 1e-6)
    }

    /// Logits whose softmax puts `confidence`-ordered mass on class `c` (K = 3).
    private func pool(_ rows: [(c: Int, strength: Float)]) -> Tensor {
        var s: [Float] = []
        for r in rows { s += (0..<3).map { $0 == r.c ? r.strength : 0 } }
        return Tensor(shape: [rows.count, 3], scalars: s)
    }

    func testThresholdAndBalancing() {
        // Class 0: 4 images, class 1: 1 image, class 2: 1 weak image (confidence 1/3 + a little).
        let logits = pool([(0, 3), (0, 5), (1, 4), (0, 1), (0, 2), (2, 0.01)])
        XCTAssertEqual(
            labeling(threshold: 0.4, balance: false).select(logits).sorted(), [0, 1, 2, 3, 4], "the weak image is dropped")
        // m = 2 per class: class 0 keeps its two most confident (1, 0); class 1 (n = 1) is repeated twice.
        XCTAssertEqual(labeling(threshold: 0.4, perClass: 2).select(logits), [1, 0, 2, 2])
        // m = 3: class 1 three times; class 0 its top 3 (1, 0, 4).
        XCTAssertEqual(labeling(threshold: 0.4, perClass: 3).select(logits), [1, 0, 4, 2, 2, 2])
        // n = 2 < m = 5: each twice (floor 5/2), then the most confident once more.
        let two = pool([(1, 1), (1, 2)])
        XCTAssertEqual(labeling(perClass: 5).select(two), [1, 0, 1, 0, 1])
        XCTAssertEqual(labeling(balance: false).select(logits), [0, 1, 3, 4, 2, 5], "unbalanced: every image once, by class")
        XCTAssertEqual(labeling().select(logits).count, 2 * 3, "default m = floor(6 / 3) for each predicted class")
    }

    func testSoftAndHardTargets() {
        let logits = Tensor(shape: [1, 3], scalars: [2, 0, 0])
        assertClose(labeling(hard: true).targets(logits).scalars, [1, 0, 0], atol: 0, rtol: 0, "one-hot")
        let e = Foundation.exp(Float(1))
        assertClose(
            labeling().targets(logits).scalars, [e / (e + 2), 1 / (e + 2), 1 / (e + 2)], atol: 1e-6, rtol: 1e-6, "softmax(z/2)")
    }

    func testPlanNoisesStudentsThatSetNoNoise() throws {
        let p = ParamValues(defaults: NoisyStudent.params, path: "method")
        guard case .pipeline(let make)? = MethodRegistry.entry("noisy-student")?.shape else { return XCTFail("not a pipeline") }
        let plan = try make(p).plan(student: ModelConfig(name: "resnet8"), hasTeacher: true)
        XCTAssertThrowsError(try make(p).plan(student: ModelConfig(name: "resnet8"), hasTeacher: false))
        XCTAssertEqual(
            try make(p).plan(student: ModelConfig(name: "lenet5"), hasTeacher: true)[0].model.stochasticDepth, 1,
            "no residual blocks")
        XCTAssertEqual(plan.map(\.name), ["generation1", "generation2"])
        XCTAssertEqual(plan[0].teacher, .configured)
        XCTAssertEqual(plan[1].teacher, .run("generation1"))
        XCTAssertEqual(plan[0].model, ModelConfig(name: "resnet8", headDropout: 0.5, stochasticDepth: 0.8))
        XCTAssertNotNil(plan[0].selfTraining)
    }
}
