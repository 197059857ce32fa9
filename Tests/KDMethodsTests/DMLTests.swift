// DML (Zhang et al. 2018): gradient of the peer term (peers get none), PyTorch golden member losses
// and gradients for a 3-member cohort, a tiny zoo cohort, parameters and errors.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class DMLTests: XCTestCase {
    func params(_ values: [String: ParamValue] = [:]) -> ParamValues {
        var p = ParamValues(defaults: DML.params, path: "method")
        for (k, v) in values { p[k] = v }
        return p
    }

    func cohort(
        _ values: [String: ParamValue] = [:], student: ModelConfig? = ModelConfig(name: "resnet8"),
        hasTeacher: Bool? = nil
    ) throws -> CohortMethod {
        try MethodRegistry.buildCohort(name: "dml", params: params(values), student: student, hasTeacher: hasTeacher)
    }

    func tensor(_ values: [Float], _ shape: [Int]) -> Tensor {
        let t = Tensor.zeros(shape)
        for (i, v) in values.enumerated() { t.data[i] = v }
        return t
    }

    func testDeclarationsAreSound() {
        XCTAssertEqual(ParamSpec.problems(in: DML.params), [])
        XCTAssertEqual(MethodRegistry.entry("dml")?.teacher, .optional)
        XCTAssertEqual(MethodRegistry.shapeLabel(of: "dml"), "cohort")
    }

    func testPeerLossGradientAndDetachedPeers() {
        let peers = [randomTensor([3, 6], seed: 2, std: 2), randomTensor([3, 6], seed: 3, std: 2)]
        for t: Float in [1, 2.5] {
            assertGradientsMatch([randomTensor([3, 6], seed: 1, std: 2)], eps: 1e-2, tolerance: 2e-2) {
                DML.peerLoss(member: $0[0], peers: peers, temperature: t)
            }
        }
        for p in peers { p.requiresGrad = true; p.grad = nil }
        let zk = randomTensor([3, 6], seed: 1)
        zk.requiresGrad = true
        DML.peerLoss(member: zk, peers: peers, temperature: 2).backward()
        XCTAssertNotNil(zk.grad)
        for p in peers { XCTAssertNil(p.grad, "a peer received a gradient") }
    }

    func testPeerGradientIsTemperatureTimesProbabilityGap() {
        // One peer: d(T²·KL)/dz_k = T·(softmax(z_k/T) − softmax(z_l/T)) / B.
        let (zk, zl, t) = (randomTensor([2, 4], seed: 5), randomTensor([2, 4], seed: 6), Float(3))
        zk.requiresGrad = true
        DML.peerLoss(member: zk, peers: [zl], temperature: t).backward()
        let (q, p) = ((zk.detached() * (1 / t)).softmax(), (zl * (1 / t)).softmax())
        let expected = (0..<8).map { t * (q.data[$0] - p.data[$0]) / 2 }
        assertClose((0..<8).map { zk.grad?.data[$0] ?? .nan }, expected, atol: 1e-6)
    }

    func testGoldenMemberLossesAndGradients() throws {
        let g = MultiLossGolden.self
        let shape = [g.batch, g.classes]
        let teacher = ModelOutput(logits: tensor(g.teacherLogits, shape), taps: [:])
        for c in g.cases {
            let method = try cohort([
                "students": .list([
                    .model(ModelConfig(name: "resnet8")), .model(ModelConfig(name: "resnet14")),
                    .model(ModelConfig(name: "resnet8")),
                ]),
                "ce_weight": .number(c.ceWeight), "peer_weight": .number(c.peerWeight), "T": .number(c.temperature),
                "kd_weight": .number(c.kdWeight), "kd_T": .number(c.kdTemperature),
            ])
            XCTAssertEqual(method.teacherUse, c.kdWeight > 0 ? .logits : TeacherUse.none, c.name)
            for k in 0..<3 {
                let outputs = g.memberLogits.map { ModelOutput(logits: tensor($0, shape), taps: [:]) }
                outputs[k].logits.requiresGrad = true
                let step = StepContext(
                    labels: g.labels, student: outputs[k], teachers: c.kdWeight > 0 ? [teacher] : [],
                    epoch: 0, stage: Stage("train", epochs: 1), labelSmoothing: c.labelSmoothing)
                let terms = method.losses(member: k, outputs: outputs, step: step)
                XCTAssertEqual(Set(terms.map(\.name)), Set(c.terms[k].keys), "\(c.name) member \(k)")
                for term in terms {
                    assertClose(
                        [term.value.item], [c.terms[k][term.name] ?? .nan], atol: 1e-6, rtol: 1e-5,
                        "\(c.name) member \(k) \(term.name)")
                }
                terms.map(\.value).reduce(Tensor(0), +).backward()
                assertClose(
                    Array(UnsafeBufferPointer(start: outputs[k].logits.grad?.data, count: g.batch * g.classes)),
                    c.gradients[k], atol: 1e-6, rtol: 1e-4, "\(c.name) member \(k) gradient")
            }
        }
    }

    func testTinyZooCohortTrainsOnlyTheMember() throws {
        let method = try cohort(["students": .list([.model(ModelConfig(name: "lenet5")), .model(ModelConfig(name: "mlp-16"))])])
        XCTAssertEqual(method.members.map(\.name), ["lenet5", "mlp-16"])
        XCTAssertFalse(method.simultaneousUpdate)
        XCTAssertEqual(method.teacherUse, TeacherUse.none)
        let models = try method.members.enumerated().map { k, m in
            try Zoo.build(ModelSpec(name: m.name, inputShape: [1, 16, 16], numClasses: 10), seed: UInt64(k + 1))
        }
        let x = randomTensor([4, 1, 16, 16], seed: 9)
        let outputs = models.map { $0.forward(x, ForwardContext(training: true)) }
        let step = StepContext(
            labels: [0, 3, 7, 9], student: outputs[1], teachers: [], epoch: 0, stage: Stage("train", epochs: 1))
        let terms = method.losses(member: 1, outputs: outputs, step: step)
        XCTAssertEqual(terms.map(\.name), ["ce", "peer"])
        XCTAssertTrue(terms.allSatisfy { $0.value.item.isFinite && $0.value.item >= 0 })
        terms.map(\.value).reduce(Tensor(0), +).backward()
        XCTAssertTrue(models[1].parameters.contains { $0.grad != nil }, "the member gets gradients")
        XCTAssertTrue(models[0].parameters.allSatisfy { $0.grad == nil }, "the peer gets none")
    }

    func testDefaultsTwoCopiesOfTheStudentAndOptions() throws {
        let method = try cohort(student: ModelConfig(name: "mlp-32", dropout: 0.2))
        XCTAssertEqual(method.members, [ModelConfig(name: "mlp-32", dropout: 0.2), ModelConfig(name: "mlp-32", dropout: 0.2)])
        XCTAssertTrue(try cohort(["update": "simultaneous"]).simultaneousUpdate)
        XCTAssertEqual(try cohort(["kd_weight": 0.5], hasTeacher: true).teacherUse, .logits)
    }

    func testErrors() {
        func message(
            _ values: [String: ParamValue], student: ModelConfig? = ModelConfig(name: "resnet8"),
            hasTeacher: Bool? = nil
        ) -> String {
            do {
                _ = try cohort(values, student: student, hasTeacher: hasTeacher)
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(
            message(["students": .list([.model(ModelConfig(name: "resnet8"))])]),
            "method.students: expected a cohort of at least 2 models, found 1")
        XCTAssertEqual(
            message([:], student: nil),
            "method.students: absent and no student configured; give at least 2 models or set student")
        XCTAssertEqual(
            message(["kd_weight": 0.5], hasTeacher: false),
            "method.kd_weight: dml's teacher term (kd_weight 0.5 > 0) needs a teacher; set teacher.checkpoint or kd_weight 0")
        XCTAssertEqual(message(["kd_weight": 0.5]), "no error", "without teacher information the runner checks")
        XCTAssertEqual(message(["update": "both"]), "method.update: expected one of sequential, simultaneous, found \"both\"")
        XCTAssertEqual(message(["T": "hot"]), "method.T: expected a number, found a string")
        XCTAssertEqual(message(["kd_T": 0]), "method.kd_T: expected a number > 0, found 0.0")
    }
}
