// Mean Teacher (Tarvainen & Valpola 2017): both consistency costs, the ramp-up, the EMA decay and the weight
// average against PyTorch (scripts/golden/mean_teacher.py), a gradient check, and the method's steps.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class MeanTeacherTests: XCTestCase {
    typealias G = MeanTeacherGolden

    func testConsistencyCostsMatchPyTorch() {
        let cases: [(Consistency, Float, [Float])] = [(.mse, G.mseLoss, G.mseGradient), (.kl, G.klLoss, G.klGradient)]
        for (consistency, value, gradient) in cases {
            let zs = Tensor(shape: [G.batch, G.classes], scalars: G.student)
            let zEMA = Tensor(shape: [G.batch, G.classes], scalars: G.ema)
            zs.requiresGrad = true
            zEMA.requiresGrad = true
            let loss = consistency.loss(student: zs, ema: zEMA)
            assertClose([loss.item], [value], atol: 1e-7, rtol: 1e-5, "\(consistency) value")
            loss.backward()
            assertClose(zs.grad?.scalars ?? [], gradient, atol: 1e-7, rtol: 1e-4, "\(consistency) gradient")
            XCTAssertNil(zEMA.grad, "\(consistency): the EMA's logits get no gradient")
        }
    }

    func testGradientCheckOfBothConsistencyCosts() {
        let target = randomTensor([3, 4], seed: 11, std: 2)
        for consistency in Consistency.allCases {
            assertGradientsMatch([randomTensor([3, 4], seed: 12, std: 2)]) { x in
                consistency.loss(student: x[0], ema: target) * 10
            }
        }
    }

    func testRampUpAndDecayMatchTheReference() {
        for r in G.ramps {
            let schedule = MeanTeacherSchedule(maxWeight: r.maxWeight, rampupEpochs: r.rampup, emaDecay: 0.999, rampupDecay: 0.99)
            XCTAssertEqual(
                schedule.consistencyWeight(atEpoch: r.epoch), r.weight, accuracy: 1e-12, "w(\(r.epoch)), L \(r.rampup)")
        }
        let schedule = MeanTeacherSchedule(maxWeight: 1, rampupEpochs: 3, emaDecay: 0.999, rampupDecay: 0.99)
        for d in G.decays {
            XCTAssertEqual(schedule.decay(step: d.step, atEpoch: d.epoch), d.alpha, accuracy: 1e-15, "α at step \(d.step)")
        }
    }

    /// mlp-16's parameters, each filled by tiling `values`.
    func fill(_ model: Model, with values: [Float]) {
        for p in model.parameters { for i in 0..<p.count { p.data[i] = values[i % values.count] } }
    }

    func testWeightAverageMatchesTheReference() throws {
        let student = try RelationFixtures.model("mlp-16")
        fill(student, with: G.thetas[0])
        let ema = try EMAModel(copying: student)
        let schedule = MeanTeacherSchedule(
            maxWeight: 1, rampupEpochs: G.emaRampup, emaDecay: G.emaDecay, rampupDecay: G.emaRampupDecay)
        for s in 1...4 {
            fill(student, with: G.thetas[s])
            let alpha = schedule.decay(step: ema.stepCount + 1, atEpoch: Double(s) / 4)
            XCTAssertEqual(alpha, G.emaAlphas[s - 1], accuracy: 1e-15)
            ema.update(alpha: Float(alpha))
            for p in ema.model.parameters {
                let want = (0..<p.count).map { G.emaAfter[s - 1][$0 % 6] }
                assertClose(p.scalars, want, atol: 1e-6, rtol: 1e-6, "θ_ema after step \(s)")
            }
        }
        XCTAssertEqual(ema.stepCount, 4)
    }

    /// A mean-teacher on resnet8 (it has batch norm) with `values` over the defaults; its views are the
    /// fixed `images` with a per-stream offset, so the EMA's input differs from the student's.
    func method(_ values: [String: ParamValue] = [:], teachers: [Model] = []) throws -> (MeanTeacher, MethodSetup) {
        let student = try RelationFixtures.model("resnet8")
        var setup = RelationFixtures.setup(student, teachers)
        setup.trainingViews = TrainingViews(stepsPerEpoch: 10) { indices, _, _, stream in
            randomTensor([indices.count, 3, 16, 16], seed: 40 + UInt64(stream))
        }
        let built = try RelationFixtures.build(["mean-teacher"], values, setup: setup)
        return (try XCTUnwrap(built as? MeanTeacher), setup)
    }

    func step(_ setup: MethodSetup, _ method: MeanTeacher, epoch: Int, batch: Int) -> StepContext {
        let x = method.studentInput(randomTensor([4, 3, 16, 16], seed: 40), InputStep(epoch: epoch, batchIndex: batch))
        let out = setup.student.forward(x, ForwardContext(training: true))
        let teachers = setup.teachers.map { t in noGrad { t.forward(x, .eval) } }
        return StepContext(
            labels: [0, 1, 2, 3], student: out, teachers: teachers, epoch: epoch, stage: Stage("train", epochs: 6),
            indices: [0, 1, 2, 3], batchIndex: batch)
    }

    /// Over a few steps the average follows the hand-computed rule (the student moved as an optimizer
    /// would), keeps its own BN statistics, and the logged values are those of the schedule.
    func testEMAFollowsTheStudentByHandAndKeepsItsOwnBatchNorm() throws {
        let (mt, setup) = try method(["rampup_epochs": .number(0.25), "consistency_weight": .number(8)])
        let student = setup.student
        let names = student.state.filter { $0.role == .parameter }.map(\.name)
        var expected = student.parameters.map { $0.scalars.map(Double.init) }
        let bnName = "bn1.running_mean"
        let studentBN = try XCTUnwrap(student.state.first { $0.name == bnName }).tensor
        let emaBN = try XCTUnwrap(mt.ema.model.state.first { $0.name == bnName }).tensor
        for s in 1...4 {
            let batch = s - 1
            let terms = mt.losses(step(setup, mt, epoch: 0, batch: batch))
            XCTAssertEqual(terms.map(\.name), ["ce", "cons"])
            XCTAssertTrue(terms.allSatisfy { $0.value.item.isFinite })
            let bnBefore = studentBN.scalars
            var rng = SeededGenerator(seed: UInt64(s))
            for p in student.parameters { for i in 0..<p.count { p.data[i] += 0.01 * rng.normal() } }
            mt.afterStep()
            XCTAssertEqual(studentBN.scalars, bnBefore, "the EMA's forward leaves the student's BN alone")
            let t = Double(batch) / 10
            let alpha = Swift.min(1 - 1 / Double(s + 1), t < 0.25 ? 0.99 : 0.999)
            for (k, p) in student.parameters.enumerated() {
                expected[k] = zip(expected[k], p.scalars).map { alpha * $0 + (1 - alpha) * Double($1) }
            }
            let logged = Dictionary(uniqueKeysWithValues: mt.loggedValues.map { ($0.name, $0.value) })
            XCTAssertEqual(logged["ema_decay"] ?? -1, alpha, accuracy: 1e-12)
            XCTAssertEqual(logged["cons_weight"] ?? -1, 8 * (t < 0.25 ? exp(-5 * pow(1 - t / 0.25, 2)) : 1), accuracy: 1e-9)
        }
        for (k, p) in mt.ema.model.parameters.enumerated() {
            assertClose(p.scalars, expected[k].map(Float.init), atol: 1e-6, rtol: 1e-5, "θ_ema of \(names[k])")
        }
        XCTAssertEqual(mt.ema.stepCount, 4)
        XCTAssertNotEqual(emaBN.scalars, studentBN.scalars, "the EMA's running statistics are its own")
        XCTAssertTrue(mt.evaluatedModel === mt.ema.model)
        let state = mt.persistentState.map(\.name)
        XCTAssertEqual(state.count, mt.ema.model.state.count + 1)
        XCTAssertTrue(state.contains("mean_teacher.ema.\(bnName)") && state.contains("mean_teacher.steps"))
    }

    func testInputNoiseIsSeededPerStepAndDrawn() throws {
        let (mt, _) = try method()
        let x = randomTensor([4, 3, 16, 16], seed: 1)
        let a = mt.studentInput(x, InputStep(epoch: 1, batchIndex: 2)), b = mt.studentInput(x, InputStep(epoch: 1, batchIndex: 2))
        XCTAssertEqual(a.scalars, b.scalars, "a step's noise repeats (resume)")
        XCTAssertNotEqual(a.scalars, mt.studentInput(x, InputStep(epoch: 1, batchIndex: 3)).scalars)
        let noise = zip(a.scalars, x.scalars).map { Double($0 - $1) }
        let std = (noise.map { $0 * $0 }.reduce(0, +) / Double(noise.count)).squareRoot()
        XCTAssertEqual(std, 0.15, accuracy: 0.01, "input_noise 0.15")
        let (quiet, _) = try method(["input_noise": .number(0)])
        XCTAssertEqual(quiet.studentInput(x, InputStep(epoch: 0, batchIndex: 0)).scalars, x.scalars)
    }

    func testKDFromAFrozenTeacherAndTheWeights() throws {
        let teacher = try RelationFixtures.model("resnet8", seed: 9)
        let (mt, setup) = try method(["kd_weight": .number(0.5), "consistency": .string("kl")], teachers: [teacher])
        XCTAssertEqual(mt.teacherUse(in: Stage("train", epochs: 6)), .logits)
        XCTAssertEqual(mt.consistency, .kl)
        let terms = mt.losses(step(setup, mt, epoch: 0, batch: 0))
        XCTAssertEqual(terms.map(\.name), ["ce", "cons", "kd"])
        XCTAssertEqual(mt.schedule.maxWeight, 100, "auto: 100 · the labelled fraction (all labelled)")
        let (plain, _) = try method()
        XCTAssertEqual(plain.teacherUse(in: Stage("train", epochs: 6)), .none, "no KD, no teacher forward")
    }

    /// consistency_weight auto: w_max = 100 · the labelled fraction (data.labeled); a number is used as given.
    func testAutoWeightScalesWithTheLabelledFraction() throws {
        let student = try RelationFixtures.model("lenet5")
        var setup = MethodSetup(student: student, teachers: [], epochs: 2, seed: 3, augmented: false, labeledFraction: 0.018)
        setup.trainingViews = TrainingViews(stepsPerEpoch: 1) { indices, _, _, _ in randomTensor([indices.count, 1, 28, 28]) }
        let auto = try XCTUnwrap(try RelationFixtures.build(["mean-teacher"], setup: setup) as? MeanTeacher)
        XCTAssertEqual(auto.schedule.maxWeight, 1.8, accuracy: 1e-12)
        let given = try RelationFixtures.build(["mean-teacher"], ["consistency_weight": .number(4)], setup: setup)
        XCTAssertEqual((given as? MeanTeacher)?.schedule.maxWeight, 4)
    }

    func testKDWithoutATeacherIsOneClearError() throws {
        let message = RelationFixtures.error { try self.method(["kd_weight": .number(0.5)]) }
        XCTAssertEqual(message, "method.kd_weight: 0.5 needs a teacher (set teacher.checkpoint, or kd_weight 0)")
        XCTAssertTrue(ParamSpec.problems(in: MeanTeacher.params).isEmpty)
    }
}
