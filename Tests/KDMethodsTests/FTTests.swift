// FT (Kim et al. 2018): both stages against PyTorch (scripts/golden/ft_losses.py): the paraphraser's
// reconstruction with ConvTranspose2d weights in PyTorch's layout, the factor term in both modes with
// gradients for the student map and the translator, gradient checks, and the method's stages and terms.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class FTTests: XCTestCase {
    typealias G = FTGolden

    /// Copies `values` into the layer's parameters (not its BN buffers), in state order.
    func load(_ values: [[Float]], into layer: Layer) -> [Tensor] {
        let params = layer.state.filter { $0.role == .parameter }.map(\.tensor)
        precondition(params.count == values.count, "\(params.count) parameters, \(values.count) golden tensors")
        for (t, v) in zip(params, values) {
            precondition(t.count == v.count)
            for (i, x) in v.enumerated() { t.data[i] = x }
        }
        return params
    }

    func assertGrads(_ leaves: [Tensor], _ expected: [[Float]], _ name: String) {
        XCTAssertEqual(leaves.count, expected.count)
        for (k, (leaf, g)) in zip(leaves, expected).enumerated() {
            let floor = 1e-5 * (g.map { Swift.abs($0) }.max() ?? 0)
            assertClose(leaf.grad?.scalars ?? [], g, atol: Swift.max(floor, 1e-7), rtol: 1e-3, "\(name) gradient \(k)")
        }
    }

    func testParaphraserReconstructionGolden() {
        let p = Paraphraser(channels: 4, factorChannels: 2, seed: 1)
        XCTAssertEqual(p.state.map(\.name).first, "paraphraser.encoder.0.weight")
        XCTAssertEqual(p.state.map(\.tensor.shape)[6], [2, 2, 3, 3], "decoder.0: ConvTranspose2d layout [in, out, 3, 3]")
        XCTAssertEqual(p.state.map(\.tensor.shape)[8], [2, 4, 3, 3], "decoder.3: [in 2, out 4, 3, 3]")
        let params = load(G.paraphraser, into: p)
        let t = Tensor(shape: [2, 4, 4, 4], scalars: G.teacher)
        let rec = FT.reconstruction(teacher: t, paraphraser: p)
        assertClose([rec.item], [G.reconstruction], atol: 1e-6, rtol: 1e-5, "ft_rec value")
        rec.backward()
        assertGrads(params, G.reconstructionGrads, "ft_rec")
    }

    func testFactorTermGoldenBothModes() {
        let p = Paraphraser(channels: 4, factorChannels: 2, seed: 1)
        let paraphraserParams = load(G.paraphraser, into: p)
        let factorT = noGrad { p.encode(Tensor(shape: [2, 4, 4, 4], scalars: G.teacher)) }
        for (mode, value, grads) in [(FT.Mode.code, G.codeLoss, G.codeGrads), (.paper, G.paperLoss, G.paperGrads)] {
            let tr = Translator(channels: 3, factorChannels: 2, seed: 2)
            let params = load(G.translator, into: tr)
            let s = Tensor(shape: [2, 3, 8, 8], scalars: G.student, requiresGrad: true)
            let loss = FT.loss(student: tr(s, ForwardContext(training: true)), teacher: factorT, mode: mode)
            assertClose([loss.item], [value], atol: 1e-6, rtol: 1e-5, "ft \(mode) value")
            loss.backward()
            assertGrads([s] + params, grads, "ft \(mode)")
        }
        XCTAssertTrue(paraphraserParams.allSatisfy { $0.grad == nil }, "the frozen paraphraser gets no gradient")
    }

    func testGradientChecks() {
        let p = Paraphraser(channels: 3, factorChannels: 2, seed: 4)
        let t = randomTensor([2, 3, 3, 3], seed: 41)
        let pw = p.state.map(\.tensor)
        // Small steps: LeakyReLU's kink at 0.
        assertGradientsMatch([pw[1], pw[2], pw[8], pw[10]], eps: 1e-3) { _ in FT.reconstruction(teacher: t, paraphraser: p) * 100
        }
        let factorT = noGrad { p.encode(t) }
        let tr = Translator(channels: 2, factorChannels: 2, seed: 5)
        let tw = tr.state.filter { $0.role == .parameter }.map(\.tensor)
        for mode in FT.Mode.allCases {
            assertGradientsMatch([randomTensor([2, 2, 6, 6], seed: 42), tw[0], tw[2]], eps: 1e-3) { x in
                FT.loss(student: tr(x[0], ForwardContext(training: true)), teacher: factorT, mode: mode) * 100
            }
        }
    }

    func testStagesTapsAndTerms() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["ft"], ["paraphraser_epochs": .integer(2)], setup: setup)
        let ft = try XCTUnwrap(method as? FT)
        XCTAssertEqual([ft.studentTap, ft.teacherTap], ["layer3", "layer3"])
        XCTAssertEqual(ft.mode, .code)
        let first = Stage("paraphraser", epochs: 2, initialization: true, studentRuns: false, learningRate: 0.01)
        XCTAssertEqual(method.stages, [first, Stage("train", epochs: 6)])
        XCTAssertEqual(ft.paraphraser.factorChannels, 32)
        let names = method.extraLayers.flatMap(\.state).map(\.name)
        XCTAssertEqual(names.first, "paraphraser.encoder.0.weight")
        XCTAssertTrue(names.contains("paraphraser.decoder.6.bias"))
        XCTAssertTrue(names.contains("translator.encoder.7.running_var"))
        XCTAssertEqual(method.teacherUse(in: first), .features(["layer3"]))

        let step = RelationFixtures.step(setup)
        // The paraphraser stage: the runner passes no student output.
        let noStudent = ModelOutput(logits: Tensor.zeros([step.labels.count, 0]), taps: [:])
        let initStep = StepContext(labels: step.labels, student: noStudent, teachers: step.teachers, epoch: 0, stage: first)
        XCTAssertEqual(method.losses(initStep).map(\.name), ["ft_rec"])
        XCTAssertEqual(method.losses(step).map(\.name), ["ce", "ft"])
        let combined = try RelationFixtures.build(["ft", "kd"], ["paraphraser_epochs": .integer(2)], setup: setup)
        XCTAssertEqual(combined.losses(initStep).map(\.name), ["ft_rec"])
        XCTAssertEqual(combined.losses(step).map(\.name), ["ce", "ft", "kd"])
        XCTAssertEqual(ParamSpec.problems(in: FT.params), [])
        let twoStaged = RelationFixtures.error { try RelationFixtures.build(["ab", "ft", "kd"], setup: setup) }
        XCTAssertEqual(twoStaged, "method.name: ab and ft each have a stage of their own and cannot be combined")
    }

    func testWeightsTapsAndErrors() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let paper = RelationFixtures.error { try RelationFixtures.build(["ft"], ["mode": .string("paper")], setup: setup) }
        XCTAssertTrue(paper?.contains("method.ft_weight") ?? false, paper ?? "no error")
        XCTAssertNotNil(try RelationFixtures.build(["ft"], ["mode": .string("paper"), "ft_weight": .number(1)], setup: setup))
        let lenet = RelationFixtures.setup(
            try RelationFixtures.model("lenet5"), [try RelationFixtures.model("resnet8", input: [1, 28, 28])])
        let onLenet = try XCTUnwrap(try RelationFixtures.build(["ft"], setup: lenet) as? FT)
        XCTAssertEqual([onLenet.studentTap, onLenet.teacherTap], ["conv2", "layer3"])
        let wrn = try XCTUnwrap(
            try RelationFixtures.build(["ft"], setup: try FeatureMethodKit.setup(student: "wrn-16-1", teacher: "wrn-16-2")) as? FT
        )
        XCTAssertEqual([wrn.studentTap, wrn.teacherTap], ["block3", "block3"])
        let mlp = RelationFixtures.setup(try RelationFixtures.model("mlp-128"), [try RelationFixtures.model("lenet5")])
        let none = RelationFixtures.error { try RelationFixtures.build(["ft"], setup: mlp) }
        XCTAssertTrue(none?.contains("method.student_tap") ?? false, none ?? "no error")
        let vector = RelationFixtures.error { try RelationFixtures.build(["ft"], ["teacher_tap": .string("pool")], setup: setup) }
        XCTAssertTrue(vector?.contains("method.teacher_tap: expected a [C, H, W] feature map") ?? false, vector ?? "no error")
    }
}
