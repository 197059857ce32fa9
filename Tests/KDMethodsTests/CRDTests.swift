// CRD (Tian et al. 2020): loss, normalisers, gradients and bank update against PyTorch
// (scripts/golden/crd_losses.py), a gradient check, the class-aware sampler's guarantees, and the method.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class CRDTests: XCTestCase {
    typealias G = CRDGolden

    func goldenMemory() -> CRDMemory {
        CRDMemory(
            student: Tensor(shape: [G.count, 4], scalars: G.memoryStudent),
            teacher: Tensor(shape: [G.count, 4], scalars: G.memoryTeacher), temperature: 0.07, momentum: 0.5)
    }

    func testGoldenLossNormalizersGradientsAndUpdate() {
        let leaves = [
            Tensor(shape: [3, 6], scalars: G.student), Tensor(shape: [4, 6], scalars: G.studentWeight),
            Tensor(shape: [4], scalars: G.studentBias), Tensor(shape: [4, 5], scalars: G.teacherWeight),
            Tensor(shape: [4], scalars: G.teacherBias),
        ]
        for leaf in leaves { leaf.requiresGrad = true }
        let teacher = Tensor(shape: [3, 5], scalars: G.teacher)
        let vs = linear(leaves[0], weight: leaves[1], bias: leaves[2]).l2Normalized(axis: 1)
        let vt = linear(teacher, weight: leaves[3], bias: leaves[4]).l2Normalized(axis: 1)
        let memory = goldenMemory()
        let loss = memory.loss(student: vs, teacher: vt, contrast: G.contrast, width: 6)
        assertClose(memory.normalizers.scalars, G.normalizers, atol: 0, rtol: 1e-4, "Z_s, Z_t of the first call")
        assertClose([loss.item], [G.loss], atol: 1e-5, rtol: 1e-5, "crd value")
        loss.backward()
        for (k, leaf) in leaves.enumerated() {
            assertClose(leaf.grad?.scalars ?? [], G.grads[k], atol: 1e-5, rtol: 1e-3, "crd gradient \(k)")
        }
        memory.update(indices: G.indices, student: vs.detached(), teacher: vt.detached())
        assertClose(memory.student.scalars, G.updatedMemoryStudent, atol: 1e-6, rtol: 1e-5, "M_s after the step")
        assertClose(memory.teacher.scalars, G.updatedMemoryTeacher, atol: 1e-6, rtol: 1e-5, "M_t after the step")
    }

    func testNormalizersAreSetOnceThenFrozen() {
        let memory = goldenMemory()
        let vs = randomTensor([3, 4], seed: 1).l2Normalized(axis: 1), vt = randomTensor([3, 4], seed: 2).l2Normalized(axis: 1)
        _ = memory.loss(student: vs, teacher: vt, contrast: G.contrast, width: 6)
        let first = memory.normalizers.scalars
        _ = memory.loss(student: vt, teacher: vs, contrast: G.contrast, width: 6)
        XCTAssertEqual(memory.normalizers.scalars, first)
        XCTAssertTrue(first.allSatisfy { $0 > 0 })
    }

    func testGradientCheckThroughTheNormalization() {
        let memory = goldenMemory()
        let vt = randomTensor([3, 4], seed: 7).l2Normalized(axis: 1)
        _ = memory.loss(student: vt, teacher: vt, contrast: G.contrast, width: 6)  // fixes Z
        assertGradientsMatch([randomTensor([3, 4], seed: 8), randomTensor([3, 4], seed: 9)]) { x in
            memory.loss(student: x[0].l2Normalized(axis: 1), teacher: x[1].l2Normalized(axis: 1), contrast: G.contrast, width: 6)
        }
    }

    /// 3 classes of 40, 30 and 20 samples.
    let labels: [Int32] = (0..<90).map { Int32($0 < 40 ? 0 : $0 < 70 ? 1 : 2) }

    func testNegativesComeFromOtherClassesWithoutRepeats() {
        let sampler = ContrastSampler(labels: labels, negatives: 45, positive: .exact, seed: 4)
        let anchors = [0, 39, 40, 89, 75]
        let rows = sampler.draw(anchors: anchors, epoch: 2, batch: 5)
        XCTAssertEqual(rows.count, anchors.count * 46)
        for (a, anchor) in anchors.enumerated() {
            let row = rows[(a * 46)..<((a + 1) * 46)].map(Int.init)
            XCTAssertEqual(row[0], anchor, "exact: the positive is the anchor")
            let negatives = row.dropFirst()
            XCTAssertEqual(Set(negatives).count, 45, "drawn without replacement")
            XCTAssertTrue(negatives.allSatisfy { labels[$0] != labels[anchor] }, "only other classes")
        }
        XCTAssertEqual(rows, sampler.draw(anchors: anchors, epoch: 2, batch: 5), "a step's draw repeats (resume)")
        XCTAssertNotEqual(rows, sampler.draw(anchors: anchors, epoch: 2, batch: 6))
    }

    func testRelaxedPositiveAndReplacementWhenThePoolIsSmall() {
        let sampler = ContrastSampler(labels: labels, negatives: 60, positive: .relax, seed: 4)
        let rows = sampler.draw(anchors: [10], epoch: 0, batch: 0).map(Int.init)
        XCTAssertEqual(labels[rows[0]], 0, "relax: a positive of the anchor's class")
        XCTAssertTrue(rows.dropFirst().allSatisfy { labels[$0] != 0 }, "50 others for 60 negatives: with replacement")
        XCTAssertLessThan(Set(rows.dropFirst()).count, 60)
    }

    func testDrawsAreUniformOverTheOtherClasses() {
        let sampler = ContrastSampler(labels: labels, negatives: 10, positive: .exact, seed: 9)
        var hits = [Int](repeating: 0, count: 90)
        for batch in 0..<2000 { for i in sampler.draw(anchors: [5], epoch: 0, batch: batch).dropFirst() { hits[Int(i)] += 1 } }
        XCTAssertEqual(hits[0..<40].reduce(0, +), 0)
        let expected = 2000.0 * 10 / 50  // 400 each
        for i in 40..<90 { XCTAssertEqual(Double(hits[i]), expected, accuracy: expected * 0.2, "index \(i)") }
    }

    func testMethodTermsStateAndBankUpdate() throws {
        let student = try RelationFixtures.model("lenet5")
        let teacher = try RelationFixtures.model("resnet14", input: [1, 28, 28])
        let trainingLabels = (0..<50).map { Int32($0 % 10) }
        let setup = MethodSetup(
            student: student, teachers: [teacher], epochs: 2, seed: 3, augmented: false, trainingLabels: trainingLabels)
        let method = try RelationFixtures.build(["crd"], ["negatives": .integer(20)], setup: setup)
        let crd = try XCTUnwrap(method as? CRD)
        XCTAssertEqual(method.persistentState.map(\.name), ["crd.memory_student", "crd.memory_teacher", "crd.normalizers"])
        XCTAssertEqual(crd.memory.student.shape, [50, 128])
        XCTAssertEqual(crd.heads.student.weight.shape, [128, 84])
        let base = RelationFixtures.step(setup)
        let step = StepContext(
            labels: base.labels, student: base.student, teachers: base.teachers, epoch: 0, stage: base.stage,
            indices: [3, 14, 25, 36], batchIndex: 0)
        let before = crd.memory.student.scalars
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "crd"])
        XCTAssertTrue(terms.allSatisfy { $0.value.item.isFinite })
        XCTAssertEqual(crd.memory.student.scalars, before, "the banks wait for the step")
        method.afterStep()
        let after = crd.memory.student.scalars
        for row in 0..<50 {
            let changed = after[(row * 128)..<((row + 1) * 128)] != before[(row * 128)..<((row + 1) * 128)]
            XCTAssertEqual(changed, [3, 14, 25, 36].contains(row), "row \(row)")
        }
        XCTAssertThrowsError(
            try RelationFixtures.build(["crd"], setup: RelationFixtures.setup(student, [teacher]))
        ) { XCTAssertTrue("\($0)".contains("training set"), "\($0)") }
    }
}
