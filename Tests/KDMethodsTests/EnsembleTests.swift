// Ensemble of teachers: targets and losses against PyTorch for both averages (weighted and equal),
// a gradient check, and the method's teachers, weights and errors.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class EnsembleTests: XCTestCase {
    typealias G = RelationLossGolden

    func testGoldenTargetsAndLosses() {
        let teachers = G.ensembleTeachers.map { RelationFixtures.tensor(G.ensembleShape, $0) }
        let equal: [Float] = [1.0 / 3, 1.0 / 3, 1.0 / 3]
        let cases: [(Ensemble.Average, [Float], [Float], Float, [Float])] = [
            (
                .probabilities, G.ensembleWeights, G.ensembleProbabilitiesWeightedTarget, G.ensembleProbabilitiesWeightedLoss,
                G.ensembleProbabilitiesWeightedGrad
            ),
            (
                .probabilities, equal, G.ensembleProbabilitiesEqualTarget, G.ensembleProbabilitiesEqualLoss,
                G.ensembleProbabilitiesEqualGrad
            ),
            (
                .logits, G.ensembleWeights, G.ensembleLogitsWeightedTarget, G.ensembleLogitsWeightedLoss,
                G.ensembleLogitsWeightedGrad
            ),
            (.logits, equal, G.ensembleLogitsEqualTarget, G.ensembleLogitsEqualLoss, G.ensembleLogitsEqualGrad),
        ]
        for (average, weights, target, loss, grad) in cases {
            let p = Ensemble.targetProbabilities(teachers: teachers, weights: weights, temperature: 4, average: average)
            assertClose(p.scalars, target, atol: 1e-7, rtol: 1e-5, "\(average) target")
            let zs = RelationFixtures.tensor(G.ensembleShape, G.ensembleStudent)
            zs.requiresGrad = true
            let value = Ensemble.loss(student: zs, teachers: teachers, weights: weights, temperature: 4, average: average)
            assertClose([value.item], [loss], atol: 1e-6, rtol: 1e-5, "\(average) loss")
            value.backward()
            assertClose(zs.grad?.scalars ?? [], grad, atol: 1e-7, rtol: 1e-4, "\(average) gradient")
            XCTAssertTrue(teachers.allSatisfy { $0.grad == nil })
        }
    }

    func testGradientCheck() {
        let teachers = [randomTensor([3, 4], seed: 41, std: 2), randomTensor([3, 4], seed: 42, std: 2)]
        for average in Ensemble.Average.allCases {
            assertGradientsMatch([randomTensor([3, 4], seed: 43)]) { x in
                Ensemble.loss(student: x[0], teachers: teachers, weights: [0.25, 0.75], temperature: 2, average: average) * 10
            }
        }
    }

    func testMethodWithThreeTeachers() throws {
        let student = try RelationFixtures.model("resnet8")
        let teachers = try [("resnet14", 2), ("resnet8", 3), ("wrn-10-1", 4)].map {
            try RelationFixtures.model($0.0, seed: UInt64($0.1))
        }
        let setup = RelationFixtures.setup(student, teachers)
        let paths: ParamValue = ["runs/a/best.safetensors", "runs/b/best.safetensors", "runs/c/best.safetensors"]
        let entry = try XCTUnwrap(MethodRegistry.entry("ensemble"))
        XCTAssertEqual(entry.teacher, .optional)
        XCTAssertEqual(
            try entry.teacherCheckpoints?(RelationFixtures.params("ensemble", ["teachers": paths])),
            ["runs/a/best.safetensors", "runs/b/best.safetensors", "runs/c/best.safetensors"])
        let method = try RelationFixtures.build(
            ["ensemble"], ["teachers": paths, "weights": [2, 1, 1], "average": "logits"], setup: setup)
        let ensemble = try XCTUnwrap(method as? Ensemble)
        XCTAssertEqual(ensemble.weights, [0.5, 0.25, 0.25])
        XCTAssertEqual(ensemble.average, .logits)
        XCTAssertEqual(method.teacherUse(in: Stage("train", epochs: 6)), .logits)
        let step = RelationFixtures.step(setup)
        let terms = method.losses(step)
        XCTAssertEqual(terms.map(\.name), ["ce", "kd"])
        let kd = Ensemble.loss(
            student: step.student.logits, teachers: step.teachers.map(\.logits), weights: [0.5, 0.25, 0.25],
            temperature: 4, average: .logits)
        XCTAssertEqual(terms[1].value.item, 0.9 * kd.item, accuracy: 1e-5)
        let equal = try XCTUnwrap(try RelationFixtures.build(["ensemble"], ["teachers": paths], setup: setup) as? Ensemble)
        XCTAssertEqual(equal.weights, [1.0 / 3, 1.0 / 3, 1.0 / 3])
        XCTAssertEqual(equal.average, .probabilities)
        XCTAssertEqual(ParamSpec.problems(in: Ensemble.params), [])
    }

    func testErrors() throws {
        let student = try RelationFixtures.model("resnet8")
        let two = [try RelationFixtures.model("resnet14"), try RelationFixtures.model("resnet8", seed: 3)]
        let setup = RelationFixtures.setup(student, two)
        let paths: ParamValue = ["a.safetensors", "b.safetensors"]
        func error(_ values: [String: ParamValue], _ s: MethodSetup? = nil) -> String? {
            RelationFixtures.error { try RelationFixtures.build(["ensemble"], values, setup: s ?? setup) }
        }
        XCTAssertEqual(error([:]), "method.teachers: missing")
        XCTAssertEqual(error(["teachers": ["a.safetensors"]]), "method.teachers: expected at least 2 checkpoints, found 1")
        XCTAssertEqual(
            RelationFixtures.error {
                try MethodRegistry.entry("ensemble")?.teacherCheckpoints?(
                    RelationFixtures.params("ensemble", ["teachers": ["a"]])) as Any
            },
            "method.teachers: expected at least 2 checkpoints, found 1")
        XCTAssertEqual(
            error(["teachers": paths], RelationFixtures.setup(student, [two[0]])),
            "method.teachers: expected 2 loaded teachers, found 1")
        XCTAssertEqual(
            error(["teachers": paths, "weights": [1]]), "method.weights: expected 2 weights (one per teacher), found 1")
        XCTAssertEqual(
            error(["teachers": paths, "weights": [0, 0]]),
            "method.weights: expected numbers >= 0 with a positive sum, found [0, 0]")
        XCTAssertEqual(
            error(["teachers": paths, "average": "median"]),
            "method.average: expected one of probabilities, logits, found \"median\"")
        let hundred = try RelationFixtures.model("resnet8", classes: 100, seed: 9)
        XCTAssertEqual(
            error(["teachers": paths], RelationFixtures.setup(student, [two[0], hundred])),
            "method.teachers: teacher b.safetensors (resnet8) has 100 classes, expected 10 like the student resnet8")
        XCTAssertEqual(
            error(["teachers": paths, "cache_teacher": true], RelationFixtures.setup(student, two, augmented: true)),
            "method.cache_teacher: needs data.augment off (a cached teacher sees each image once, unaugmented)")
    }
}
