// ReviewKD (Chen et al. 2021): the ABF chain and HCL against PyTorch (scripts/golden/reviewkd_losses.py)
// with gradients for the student maps and every ABF parameter, a finite-difference check of the whole
// loss, HCL's level weights, and the method's taps, modules, warm-up and errors.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class ReviewKDTests: XCTestCase {
    typealias G = ReviewKDGolden

    /// The golden ABFs, deepest first, holding the fixture's parameters.
    func goldenABFs() -> [ABF] {
        (0..<4).reversed().map { level in
            let abf = ABF(
                studentChannels: G.studentChannels[level], mid: G.mid, teacherChannels: G.teacherChannels[level],
                fuse: level < 3, seed: 1)
            for (t, values) in zip(Self.leaves(abf), G.params[level]) {
                precondition(t.count == values.count, "fixture size")
                for (i, v) in values.enumerated() { t.data[i] = v }
            }
            return abf
        }
    }

    /// An ABF's trainable tensors in the fixture's order.
    static func leaves(_ a: ABF) -> [Tensor] {
        [a.conv1, a.bn1.state.weight, a.bn1.state.bias, a.conv2, a.bn2.state.weight, a.bn2.state.bias]
            + [a.attWeight, a.attBias].compactMap { $0 }
    }

    func maps(_ values: [[Float]], channels: [Int], heights: [Int], grad: Bool) -> [Tensor] {
        (0..<4).map { l in
            Tensor(shape: [G.batch, channels[l], heights[l], heights[l]], scalars: values[l], requiresGrad: grad)
        }
    }

    /// Each gradient within 1e-5 relative, with a floor of 1e-5 of the largest reference entry.
    func assertGrads(_ tensors: [Tensor], _ expected: [[Float]], _ name: String, line: UInt = #line) {
        for (k, (t, g)) in zip(tensors, expected).enumerated() {
            let floor = 1e-5 * (g.map { Swift.abs($0) }.max() ?? 0)
            assertClose(t.grad?.scalars ?? [], g, atol: floor, rtol: 1e-5, "\(name) \(k)", line: line)
        }
    }

    func testGoldenChainAndGradients() {
        let abfs = goldenABFs()
        let students = maps(G.students, channels: G.studentChannels, heights: G.heights, grad: true)
        let teachers = maps(G.teachers, channels: G.teacherChannels, heights: G.heights, grad: false)
        let outs = ReviewKD.review(
            student: students, teacherSizes: teachers.map { ($0.dim(2), $0.dim(3)) }, abfs: abfs, ForwardContext(training: true))
        let levels = zip(outs, teachers).map { ReviewKD.hcl($0, $1).item }
        assertClose(levels, G.levelLosses, atol: 0, rtol: 1e-5, "hcl per level")
        let loss = ReviewKD.loss(student: students, teacher: teachers, abfs: abfs, ForwardContext(training: true))
        assertClose([loss.item], [G.loss], atol: 0, rtol: 1e-5, "review value")
        loss.backward()
        assertGrads(students, G.studentGrads, "student map")
        for level in 0..<4 { assertGrads(Self.leaves(abfs[3 - level]), G.paramGrads[level], "level \(level + 1) ABF") }
        XCTAssertTrue(teachers.allSatisfy { $0.grad == nil })
    }

    func testGoldenWithATeacherMapSmallerThanTheStudents() {
        let abfs = goldenABFs()
        let students = maps(G.students, channels: G.studentChannels, heights: G.heights, grad: true)
        var teachers = maps(G.teachers, channels: G.teacherChannels, heights: G.heights, grad: false)
        teachers[1] = Tensor(shape: [G.batch, G.teacherChannels[1], 2, 2], scalars: G.resizedTeacher)
        let loss = ReviewKD.loss(student: students, teacher: teachers, abfs: abfs, ForwardContext(training: true))
        assertClose([loss.item], [G.resizedLoss], atol: 0, rtol: 1e-5, "review value, resized")
        loss.backward()
        assertGrads(students, G.resizedStudentGrads, "student map, resized")
    }

    func testWholeLossGradientCheck() {
        let heights = [6, 3, 2, 1], cs = [2, 3, 2, 4], ct = [3, 2, 3, 2]
        let abfs = (0..<4).reversed().map { l in
            ABF(studentChannels: cs[l], mid: 4, teacherChannels: ct[l], fuse: l < 3, seed: UInt64(20 + l))
        }
        let students = (0..<4).map { randomTensor([3, cs[$0], heights[$0], heights[$0]], seed: UInt64(30 + $0)) }
        let teachers = (0..<4).map { randomTensor([3, ct[$0], heights[$0], heights[$0]], seed: UInt64(40 + $0)) }
        let params = [abfs[3].conv1, abfs[3].attWeight!, abfs[2].conv2, abfs[1].bn1.state.weight, abfs[0].conv1, abfs[0].conv2]
        // Steps of 1e-3: batch norm over 3 samples of a 1x1 map (level 4) curves too fast for 1e-2.
        let ops = assertGradientsMatch(students + params, eps: 1e-3) { x in
            ReviewKD.loss(student: Array(x[0..<4]), teacher: teachers, abfs: abfs, ForwardContext(training: true))
        }
        XCTAssertTrue(ops.isSuperset(of: [.resizeNearest2d, .sigmoid, .adaptiveAvgPool2d, .mseLoss, .batchNorm]))
    }

    func testHCLLevelWeights() {
        // A checkerboard difference (±1): every pooled term vanishes, so hcl = MSE / (1 + Σ w) = 1 / (1 + Σ w),
        // the weights ½, ¼, ⅛ going to the levels l < h in turn (h = 4 takes l = 2 and 1 with ½ and ¼).
        for (h, normaliser) in [(8, 1.875), (4, 1.75), (2, 1.5), (1, 1.0)] as [(Int, Float)] {
            let board = (0..<(h * h)).map { i -> Float in (i / h + i % h) % 2 == 0 ? 1 : -1 }
            let s = Tensor(shape: [1, 1, h, h], scalars: board), t = Tensor(shape: [1, 1, h, h], scalars: board.map { _ in 0 })
            XCTAssertEqual(ReviewKD.hcl(s, t).item, 1 / normaliser, accuracy: 1e-6, "height \(h)")
        }
        // A constant difference c: every level's MSE is c², so hcl = c² whatever the height.
        let c = Tensor(shape: [2, 3, 8, 8], scalars: [Float](repeating: 0.5, count: 384))
        XCTAssertEqual(
            ReviewKD.hcl(c, Tensor(shape: [2, 3, 8, 8], scalars: [Float](repeating: 0, count: 384))).item, 0.25, accuracy: 1e-6)
    }
}

extension ReviewKDTests {
    func testMethodTapsModulesAndTerms() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet14")])
        let method = try RelationFixtures.build(["reviewkd"], setup: setup)
        let review = try XCTUnwrap(method as? ReviewKD)
        XCTAssertEqual(review.studentTaps, ["layer1", "layer2", "layer3", "pool"])
        XCTAssertEqual(review.teacherTaps, ["layer1.preact", "layer2.preact", "layer3.preact", "pool"])
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .features(Set(review.teacherTaps)))
        // M = min(512, 64); deepest first: pool (no attention), then layer3, layer2, layer1.
        XCTAssertEqual(review.abfs.map(\.conv1.shape), [[64, 64, 1, 1], [64, 64, 1, 1], [64, 32, 1, 1], [64, 16, 1, 1]])
        XCTAssertEqual(review.abfs.map(\.conv2.shape), [[64, 64, 3, 3], [64, 64, 3, 3], [32, 64, 3, 3], [16, 64, 3, 3]])
        XCTAssertEqual(review.abfs.map { $0.attWeight?.shape }, [nil, [2, 128, 1, 1], [2, 128, 1, 1], [2, 128, 1, 1]])
        // Kaiming-uniform a = 1: within √(3/fan_in) (fan_in 16 for layer1's conv1, 576 for conv2).
        XCTAssertLessThanOrEqual(review.abfs[3].conv1.scalars.map { Swift.abs($0) }.max() ?? 1, (3 / Float(16)).squareRoot())
        XCTAssertLessThanOrEqual(review.abfs[3].conv2.scalars.map { Swift.abs($0) }.max() ?? 1, (3 / Float(576)).squareRoot())
        let names = method.extraLayers.flatMap(\.state).map(\.name)
        XCTAssertEqual(names.first, "abfs.0.conv1.0.weight")
        XCTAssertTrue(names.contains("abfs.1.att_conv.0.bias") && !names.contains("abfs.0.att_conv.0.weight"))
        XCTAssertTrue(names.contains("abfs.3.conv2.1.running_var"))
        XCTAssertEqual(method.losses(RelationFixtures.step(setup)).map(\.name), ["ce", "review"])
        let combined = try RelationFixtures.build(["reviewkd", "kd"], setup: setup)
        XCTAssertEqual(combined.losses(RelationFixtures.step(setup)).map(\.name), ["ce", "review", "kd"])
        XCTAssertEqual(ParamSpec.problems(in: ReviewKD.params), [])
    }

    func testWarmupScalesTheReviewTerm() throws {
        let setup = RelationFixtures.setup(try RelationFixtures.model("resnet8"), [try RelationFixtures.model("resnet8")])
        let method = try RelationFixtures.build(
            ["reviewkd"], ["warmup_epochs": .integer(4), "review_weight": .number(5)], setup: setup)
        let value = { (epoch: Int) -> Float in
            RelationFixtures.term(method.losses(RelationFixtures.step(setup, epoch: epoch)), "review")?.item ?? .nan
        }
        let full = value(3)
        XCTAssertGreaterThan(full, 0)
        XCTAssertEqual(value(0), full / 4, accuracy: 1e-5 * full, "epoch 1 of 4 weighs ¼")
        XCTAssertEqual(value(1), full / 2, accuracy: 1e-5 * full)
        XCTAssertEqual(value(9), full, accuracy: 1e-5 * full, "constant after the warm-up")
        XCTAssertEqual(Warmup.factor(epoch: 0, warmupEpochs: 20), 0.05)
    }

    func testWideResNetTapsAndModelsWithoutMaps() throws {
        let wrn = RelationFixtures.setup(try RelationFixtures.model("wrn-16-1"), [try RelationFixtures.model("wrn-16-2")])
        let review = try XCTUnwrap(try RelationFixtures.build(["reviewkd"], setup: wrn) as? ReviewKD)
        XCTAssertEqual(review.studentTaps, ["block1", "block2", "block3", "pool"])
        XCTAssertEqual(review.teacherTaps, ["block1.preact", "block2.preact", "block3.preact", "pool"])
        XCTAssertEqual(review.abfs[0].conv2.shape, [128, 64, 3, 3], "M = min(512, 64), C_t of wrn-16-2's pool")
        XCTAssertEqual(review.losses(RelationFixtures.step(wrn)).map(\.name), ["ce", "review"])
        let resnet = { try RelationFixtures.model("resnet8", input: [1, 28, 28]) }
        let lenet = RelationFixtures.setup(try RelationFixtures.model("lenet5"), [try resnet()])
        let message = try XCTUnwrap(RelationFixtures.error { try RelationFixtures.build(["reviewkd"], setup: lenet) })
        XCTAssertTrue(message.hasPrefix("student: reviewkd reads the student's taps layer1, layer2, layer3, pool"), message)
        XCTAssertTrue(message.contains("student lenet5 has no such tap 'layer1'"), message)
        let mlpTeacher = RelationFixtures.setup(try resnet(), [try RelationFixtures.model("mlp-64-64")])
        let teacherMessage = try XCTUnwrap(RelationFixtures.error { try RelationFixtures.build(["reviewkd"], setup: mlpTeacher) })
        XCTAssertTrue(teacherMessage.hasPrefix("teacher.model: reviewkd reads the teacher's taps layer1.preact"), teacherMessage)
    }
}
