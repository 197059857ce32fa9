// OFD (Heo et al. 2019): margins and the partial L2 against PyTorch (scripts/golden/zoo_losses.py), a
// gradient check, the teacher's batch-statistics mode (running averages untouched), the pair weights and taps.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class OFDTests: XCTestCase {
    typealias G = ZooLossGolden

    func testMarginsAndLossAgainstPyTorch() {
        let margins = zip(G.ofdGammas, G.ofdBetas).map { OFD.margin(gamma: $0, beta: $1) }
        assertClose(margins, G.ofdMargins, atol: 1e-6, rtol: 1e-5, "margins")
        XCTAssertTrue(margins.allSatisfy { $0 < 0 }, "a margin is always negative here")
        let student = Tensor(shape: [2, 3, 2, 2], scalars: G.ofdStudent, requiresGrad: true)
        let teacher = Tensor(shape: [2, 3, 4, 4], scalars: G.ofdTeacher)
        let loss = OFD.loss(student: student, teacher: teacher, margins: G.ofdMargins)
        assertClose([loss.item], [G.ofdLoss], atol: 1e-6, rtol: 1e-5, "ofd value")
        loss.backward()
        assertClose(student.grad?.scalars ?? [], G.ofdGrad, atol: 1e-6, rtol: 1e-4, "ofd gradient")
        XCTAssertNil(teacher.grad)
    }

    func testGradientCheckAndTheFreeRegion() {
        let teacher = randomTensor([2, 3, 2, 2], seed: 91)
        let margins: [Float] = [-0.5, -0.2, -1]
        assertGradientsMatch([randomTensor([2, 3, 2, 2], seed: 92)], eps: 1e-3) { x in
            OFD.loss(student: x[0], teacher: teacher, margins: margins)
        }
        // A student below a negative (clipped) teacher response costs nothing.
        let t = Tensor(shape: [1, 1, 1, 1], scalars: [-3]), s = Tensor(shape: [1, 1, 1, 1], scalars: [-2])
        XCTAssertEqual(OFD.loss(student: s, teacher: t, margins: [-1]).item, 0)
        XCTAssertEqual(OFD.loss(student: s * -1, teacher: t, margins: [-1]).item, 9, accuracy: 1e-6)  // (2 − (−1))²
    }

    func testFrozenBatchStatisticsLeaveRunningAveragesAlone() throws {
        let model = try RelationFixtures.model("resnet8")
        let before = model.state.map { $0.tensor.scalars }
        let x = randomTensor([4, 3, 16, 16], seed: 93)
        let context = ForwardContext(training: false)
        context.frozenBatchStatistics = true
        let frozen = noGrad { model.forward(x, context) }.logits.scalars
        XCTAssertEqual(model.state.map { $0.tensor.scalars }, before, "running statistics and counters untouched")
        XCTAssertNotEqual(frozen, noGrad { model.forward(x, .eval) }.logits.scalars, "batch, not running, statistics")
        let training = noGrad { model.forward(x, ForwardContext(training: true)) }.logits.scalars
        assertClose(frozen, training, atol: 1e-6, rtol: 1e-5, "the same normalisation as training mode")
    }

    func testMethodTapsConnectorsAndWeights() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["ofd"], setup: setup)
        let ofd = try XCTUnwrap(method as? OFD)
        XCTAssertEqual(ofd.studentTaps, ["layer1.preact", "layer2.preact", "layer3.preact"])
        XCTAssertTrue(method.teacherBatchStatistics)
        XCTAssertEqual(ofd.margins.map(\.count), [16, 32, 64])
        XCTAssertEqual(ofd.margins[0][0], OFD.margin(gamma: 1, beta: 0), "a fresh BN's γ 1, β 0")
        XCTAssertEqual(
            ofd.connectors.map(\.kind), Array(repeating: .conv(kernelH: 1, kernelW: 1, stride: 1, padding: 0), count: 3))
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "ofd"])
        XCTAssertFalse(try RelationFixtures.build(["ofd"], ["teacher_bn": .string("eval")], setup: setup).teacherBatchStatistics)
        XCTAssertEqual(try RelationFixtures.build(["ofd", "kd"], setup: setup).losses(step).map(\.name), ["ce", "ofd", "kd"])
        let lenet = RelationFixtures.setup(
            try RelationFixtures.model("lenet5"), [try RelationFixtures.model("resnet8", input: [1, 28, 28])])
        XCTAssertEqual(
            RelationFixtures.error { try RelationFixtures.build(["ofd"], setup: lenet) },
            "method.student_taps: student lenet5 has no pre-ReLU (.preact) taps; ofd needs them")
        XCTAssertEqual(ParamSpec.problems(in: OFD.params), [])
    }
}

extension OFDTests {
    /// WRNs expose pre-ReLU taps too: the BN the next unit applies to each group's output, before its ReLU.
    func testWideResNetPreactivationTaps() throws {
        let student = try RelationFixtures.model("wrn-16-1"), teacher = try RelationFixtures.model("wrn-16-2")
        XCTAssertEqual(teacher.batchNormPrefix(ofTap: "block1.preact"), "block2.layer.0.bn1.")
        XCTAssertEqual(teacher.batchNormPrefix(ofTap: "block3.preact"), "bn1.")
        let x = randomTensor([2, 3, 16, 16], seed: 94)
        let out = noGrad { teacher.forward(x, .eval) }
        XCTAssertEqual(out.taps["block2.preact"]?.shape, [2, 64, 8, 8])
        XCTAssertEqual(out.taps["block3.preact"]?.relu().scalars.count, out.taps["block3"]?.count)
        // The pooled feature is the mean of relu(block3.preact), as before the tap existed.
        let pre = try XCTUnwrap(out.taps["block3.preact"])
        assertClose(out.taps["pool"]?.scalars ?? [], globalAvgPool2d(pre.relu()).scalars, atol: 1e-6, rtol: 1e-6, "pool")
        let method = try RelationFixtures.build(["ofd"], setup: RelationFixtures.setup(student, [teacher]))
        XCTAssertEqual((method as? OFD)?.teacherTaps, ["block1.preact", "block2.preact", "block3.preact"])
        let ab = try RelationFixtures.build(["ab"], setup: RelationFixtures.setup(student, [teacher]))
        XCTAssertEqual((ab as? AB)?.connectors.compactMap { $0 }.count, 3, "channels differ (16k): conv + BN connectors")
    }
}
