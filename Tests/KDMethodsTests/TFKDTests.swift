// TF-KD (Yuan et al. 2020): the virtual teacher and the reg term against PyTorch (scripts/golden/zoo_losses.py),
// a gradient check, the variant-dependent defaults and shapes, and the self-training plan.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class TFKDTests: XCTestCase {
    typealias G = ZooLossGolden

    func params(_ values: [String: ParamValue] = [:]) -> ParamValues {
        var p = ParamValues(defaults: TFKD.params, path: "method")
        for (k, v) in values { p[k] = v }
        p.applyConditionalDefaults(TFKD.params, given: Set(values.keys))
        return p
    }

    func regStep(_ logits: Tensor, labels: [Int32]) -> StepContext {
        StepContext(
            labels: labels, student: ModelOutput(logits: logits, taps: [:]), teachers: [], epoch: 0,
            stage: Stage("train", epochs: 1))
    }

    func testVirtualTeacherAndRegTermAgainstPyTorch() throws {
        let q = TFKDReg.virtualTeacher(labels: [3, 97], classes: 100, correctProb: 0.99, temperature: 20)
        XCTAssertEqual(q.scalars[3], G.tfkdTargetLabel, accuracy: 1e-7)
        XCTAssertEqual(q.scalars[0], G.tfkdTargetOther, accuracy: 1e-7)
        XCTAssertEqual(q.scalars[100 + 97], G.tfkdTargetLabel, accuracy: 1e-7)
        let setup = MethodSetup(
            student: try RelationFixtures.model("lenet5", classes: 100), teachers: [], epochs: 1, seed: 1, augmented: false)
        let method = try MethodRegistry.buildSingle(parts: ["tfkd"], params: params(["variant": "reg"]), setup: setup)
        let z = Tensor(shape: [2, 100], scalars: G.tfkdLogits, requiresGrad: true)
        let terms = method.losses(regStep(z, labels: [3, 97]))
        XCTAssertEqual(terms.map(\.name), ["ce", "reg"])
        assertClose([terms[1].value.item], [G.tfkdReg * 0.1], atol: 1e-6, rtol: 1e-5, "reg term, weight 0.1")
        terms[1].value.backward()
        assertClose(z.grad?.scalars ?? [], G.tfkdRegGrad.map { $0 * 0.1 }, atol: 1e-7, rtol: 1e-3, "reg gradient")
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 1)), TeacherUse.none)
    }

    func testRegGradientCheck() throws {
        let setup = MethodSetup(student: try RelationFixtures.model("lenet5"), teachers: [], epochs: 1, seed: 1, augmented: false)
        let method = try MethodRegistry.buildSingle(
            parts: ["tfkd"], params: params(["variant": "reg", "T": 2, "correct_prob": 0.9]), setup: setup)
        assertGradientsMatch([randomTensor([3, 10], seed: 71, std: 2)]) { x in
            method.losses(self.regStep(x[0], labels: [1, 4, 9])).map(\.value).reduce(Tensor(0), +)
        }
    }

    func testDefaultsFollowTheVariant() throws {
        let selfTraining = params()
        XCTAssertEqual(
            [try selfTraining.double("T"), try selfTraining.double("ce_weight"), try selfTraining.double("kd_weight")],
            [6, 0.05, 0.475])
        let reg = params(["variant": "reg"])
        XCTAssertEqual([try reg.double("T"), try reg.double("ce_weight"), try reg.double("reg_weight")], [20, 0.9, 0.1])
        XCTAssertEqual(try params(["variant": "reg", "T": 5]).double("T"), 5, "a given key wins")
        XCTAssertEqual(ParamSpec.problems(in: TFKD.params), [])
        XCTAssertEqual(TFKD.params.first { $0.name == "T" }?.defaultDescription, "6 (20 with variant \"reg\")")
        XCTAssertEqual(MethodRegistry.shapeLabel(of: "tfkd"), "single-student (variant reg) or pipeline (variant self)")
        XCTAssertEqual(MethodRegistry.entry("tfkd")?.teacher, .optional)
    }

    func testSelfTrainingPlan() throws {
        let p = params()
        let pipeline = try MethodRegistry.buildPipeline(name: "tfkd", params: p)
        let student = ModelConfig(name: "lenet5")
        let runs = try pipeline.plan(student: student, hasTeacher: false)
        XCTAssertEqual(runs.map(\.name), ["self", "student"])
        XCTAssertEqual(runs.map(\.teacher), [PipelineTeacher.none, .run("self")])
        XCTAssertTrue(runs.allSatisfy { $0.model == student })
        XCTAssertEqual(try runs[1].kdParams.double("T"), 6)
        XCTAssertEqual(try runs[1].kdParams.double("ce_weight"), 0.05)
        XCTAssertEqual(try runs[1].kdParams.double("kd_weight"), 0.475)
        // A configured teacher of the student's architecture is stage 1 done: one run, checked when it loads.
        let withTeacher = try pipeline.plan(student: student, hasTeacher: true)
        XCTAssertEqual(withTeacher.map(\.name), ["student"])
        XCTAssertEqual(withTeacher[0].teacher, .configured)
        XCTAssertTrue(withTeacher[0].sameArchitecture)
        XCTAssertThrowsError(
            try MethodRegistry.buildSingle(
                parts: ["tfkd"], params: p,
                setup: RelationFixtures.setup(
                    try RelationFixtures.model("lenet5"), [])), "variant self is not a single-student method")
    }

    func testRegRefusesARealTeacher() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("lenet5"), [try RelationFixtures.model("lenet5")])
        let message = RelationFixtures.error {
            try MethodRegistry.buildSingle(parts: ["tfkd"], params: self.params(["variant": "reg"]), setup: setup)
        }
        XCTAssertEqual(message, "teacher.checkpoint: tfkd variant reg has a virtual teacher; leave the teacher out")
    }
}
