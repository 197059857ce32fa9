// DIST (Huang et al. 2022): inter and intra terms against PyTorch (scripts/golden/zoo_losses.py), including
// a student whose every class is constant over the batch, gradient checks, and the method's weighted terms.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class DISTTests: XCTestCase {
    typealias G = ZooLossGolden

    func check(student: [Float], teacher: [Float], values: [Float], grads: [[Float]], _ what: String) {
        for which in 0..<2 {
            let zs = Tensor(shape: [4, 5], scalars: student, requiresGrad: true)
            let zt = Tensor(shape: [4, 5], scalars: teacher)
            let (inter, intra) = DIST.terms(student: zs, teacher: zt, temperature: 4)
            let term = which == 0 ? inter : intra
            let name = "\(what) \(which == 0 ? "inter" : "intra")"
            assertClose([term.item], [values[which]], atol: 1e-6, rtol: 1e-5, "\(name) value")
            term.backward()
            assertClose(zs.grad?.scalars ?? [], grads[which], atol: 1e-6, rtol: 1e-3, "\(name) gradient")
            XCTAssertNil(zt.grad)
        }
    }

    func testGolden() {
        check(
            student: G.distStudent, teacher: G.distTeacher, values: [G.distInter, G.distIntra],
            grads: [G.distInterGrad, G.distIntraGrad], "random")
        // Every class constant over the batch: intra's correlations are 0/(0 + 1e-8), and its gradient is
        // the teacher's centred column over 1e-8 (the ε is added, not a clamp), as in PyTorch.
        check(
            student: G.distConstantStudent, teacher: G.distConstantTeacher,
            values: [G.distConstantInter, G.distConstantIntra],
            grads: [G.distConstantInterGrad, G.distConstantIntraGrad], "constant classes")
    }

    func testGradientCheckAndIdentity() {
        let teacher = randomTensor([5, 6], seed: 11, std: 2)
        assertGradientsMatch([randomTensor([5, 6], seed: 12, std: 2)]) { x in
            let (inter, intra) = DIST.terms(student: x[0], teacher: teacher, temperature: 2)
            return (inter + intra * 0.5) * 100
        }
        // A student equal to its teacher correlates perfectly: both terms vanish.
        let (inter, intra) = DIST.terms(student: teacher, teacher: teacher, temperature: 4)
        XCTAssertEqual(inter.item, 0, accuracy: 1e-5)
        XCTAssertEqual(intra.item, 0, accuracy: 1e-5)
    }

    func testMethodTerms() throws {
        let setup = RelationFixtures.setup(
            try RelationFixtures.model("lenet5"), [try RelationFixtures.model("resnet8", input: [1, 28, 28])])
        let method = try RelationFixtures.build(["dist"], setup: setup)
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .logits)
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "dist_inter", "dist_intra"])
        let (inter, intra) = DIST.terms(student: step.student.logits, teacher: step.teacher.logits, temperature: 4)
        XCTAssertEqual(terms[1].value.item, inter.item * 32, accuracy: 1e-4)  // T² · inter_weight = 16 · 2
        XCTAssertEqual(terms[2].value.item, intra.item * 32, accuracy: 1e-4)
        XCTAssertEqual(ParamSpec.problems(in: DIST.params), [])
        XCTAssertNotNil(RelationFixtures.error { try RelationFixtures.build(["dist", "kd"], setup: setup) })
    }
}
