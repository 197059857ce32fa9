// VID (Ahn et al. 2019): one pair's term against PyTorch (scripts/golden/zoo_losses.py) with gradients for
// the map, the three convolutions and θ, a gradient check, the initial variance and the method's layers.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class VIDTests: XCTestCase {
    typealias G = ZooLossGolden

    func copy(_ values: [Float], into t: Tensor) {
        precondition(values.count == t.count)
        for (i, v) in values.enumerated() { t.data[i] = v }
    }

    func testGoldenWithPooledStudentMap() {
        let r = VIDRegressor(studentChannels: 4, teacherChannels: 6, seed: 1)
        for (k, w) in [r.conv1, r.conv2, r.conv3].enumerated() { copy(G.vidWeights[k], into: w) }
        copy(G.vidTheta, into: r.theta)
        let student = Tensor(shape: [2, 4, 8, 8], scalars: G.vidStudent, requiresGrad: true)
        let teacher = Tensor(shape: [2, 6, 4, 4], scalars: G.vidTeacher)
        let loss = VID.loss(student: student, teacher: teacher, regressor: r)
        assertClose([loss.item], [G.vidLoss], atol: 1e-6, rtol: 1e-5, "vid value")
        loss.backward()
        for (k, leaf) in [student, r.conv1, r.conv2, r.conv3, r.theta].enumerated() {
            assertClose(leaf.grad?.scalars ?? [], G.vidGrads[k], atol: 1e-6, rtol: 1e-3, "vid gradient \(k)")
        }
        XCTAssertNil(teacher.grad)
    }

    func testInitialVarianceGradientCheckAndNegativeValues() {
        let r = VIDRegressor(studentChannels: 3, teacherChannels: 2, seed: 2)
        for v in r.variance().scalars { XCTAssertEqual(v, 5, accuracy: 1e-4) }
        let teacher = randomTensor([2, 2, 3, 3], seed: 81)
        // Small steps: the regressor's ReLUs have kinks (1e-2 steps cross some of them).
        assertGradientsMatch([randomTensor([2, 3, 3, 3], seed: 82), r.theta, r.conv1], eps: 1e-3) { x in
            VID.loss(student: x[0], teacher: teacher, regressor: r) * 100
        }
        // A small variance and a perfect mean make the bound negative: the term is not clamped.
        copy([-8, -8], into: r.theta)
        let zero = Tensor(shape: [1, 3, 2, 2], scalars: [Float](repeating: 0, count: 12))
        XCTAssertLessThan(
            VID.loss(student: zero, teacher: Tensor(shape: [1, 2, 2, 2], scalars: [Float](repeating: 0, count: 8)), regressor: r)
                .item, 0)
    }

    func testMethodRegressorsAndTerms() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["vid"], setup: setup)
        let vid = try XCTUnwrap(method as? VID)
        XCTAssertEqual(vid.studentTaps, ["layer1", "layer2", "layer3"])
        XCTAssertEqual(vid.regressors.map(\.conv1.shape), [[16, 16, 1, 1], [32, 32, 1, 1], [64, 64, 1, 1]])
        let names = method.extraLayers.flatMap(\.state).map(\.name)
        XCTAssertEqual(names.count, 12)
        XCTAssertEqual(names.first, "regressors.0.conv1.weight")
        XCTAssertEqual(names.last, "regressors.2.log_scale")
        let step = RelationFixtures.step(setup)
        XCTAssertEqual(method.losses(step).map(\.name), ["ce", "vid"])
        XCTAssertEqual(try RelationFixtures.build(["vid", "kd"], setup: setup).losses(step).map(\.name), ["ce", "vid", "kd"])
        XCTAssertEqual(ParamSpec.problems(in: VID.params), [])
    }
}
