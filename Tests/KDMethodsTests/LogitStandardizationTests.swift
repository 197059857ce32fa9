// Logit standardization (Sun et al. 2024): the transform (ddof 1, a constant row), the kd and dkd terms
// with it against PyTorch (scripts/golden/zoo_losses.py), gradient checks, and the methods that take it.

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

final class LogitStandardizationTests: XCTestCase {
    typealias G = ZooLossGolden
    let labels: [Int32] = [4, 0, 6]

    func testTransformUsesBesselsCorrection() {
        let zt = Tensor(shape: [3, 7], scalars: G.lsTeacher)
        assertClose(LogitStandardization.standardized(zt).scalars, G.lsStandardizedTeacher, atol: 1e-6, rtol: 1e-5, "z̃")
        // Rows have mean 0 and unbiased variance 1 (a biased std would leave K/(K−1)).
        let z = LogitStandardization.standardized(randomTensor([2, 5], seed: 51, std: 3)).scalars
        for row in 0..<2 {
            let v = Array(z[(row * 5)..<(row * 5 + 5)])
            XCTAssertEqual(v.reduce(0, +), 0, accuracy: 1e-5)
            XCTAssertEqual(v.map { $0 * $0 }.reduce(0, +) / 4, 1, accuracy: 1e-4)
        }
        assertGradientsMatch([randomTensor([3, 5], seed: 52, std: 2)]) { x in
            (LogitStandardization.standardized(x[0]) * randomTensor([3, 5], seed: 53)).sum()
        }
    }

    func testKDAndDKDTermsAgainstPyTorch() {
        let zt = Tensor(shape: [3, 7], scalars: G.lsTeacher)
        var zs = Tensor(shape: [3, 7], scalars: G.lsStudent, requiresGrad: true)
        let kd = SoftTargets.kd(student: zs, teacher: zt, temperature: 2, standardize: true)
        assertClose([kd.item], [G.lsKD], atol: 1e-6, rtol: 1e-5, "kd value")
        kd.backward()
        // Student row 1 is constant: its z̃ is 0 and its gradient 1e7 times the centred upstream one, as in PyTorch.
        assertClose(zs.grad?.scalars ?? [], G.lsKDGrad, atol: 1e-6, rtol: 1e-3, "kd gradient")
        for (which, golden, grad) in [(0, G.lsTCKD, G.lsTCKDGrad), (1, G.lsNCKD, G.lsNCKDGrad)] {
            zs = Tensor(shape: [3, 7], scalars: G.lsStudent, requiresGrad: true)
            let (tckd, nckd) = DKD.terms(student: zs, teacher: zt, labels: labels, temperature: 2, standardize: true)
            let term = which == 0 ? tckd : nckd
            assertClose([term.item], [golden], atol: 1e-6, rtol: 1e-5, "dkd term \(which)")
            term.backward()
            // The constant row's z̃ has slope 1e7, so float32 rounding of a zero-sum upstream gradient (nckd's
            // target entry) shows at 1e-7 of the row's scale: compare to that scale there.
            let scale = grad.map(Swift.abs).max() ?? 1
            assertClose(zs.grad?.scalars ?? [], grad, atol: Swift.max(1e-6, 1e-7 * scale), rtol: 1e-3, "dkd gradient \(which)")
        }
        XCTAssertNil(zt.grad)
    }

    func testEveryStandardizedTermIsGradientChecked() {
        let zt = randomTensor([3, 6], seed: 61, std: 2)
        let peers = [randomTensor([3, 6], seed: 62)]
        assertGradientsMatch([randomTensor([3, 6], seed: 63, std: 2)]) { x in
            let (tckd, nckd) = DKD.terms(student: x[0], teacher: zt, labels: [1, 0, 5], temperature: 2, standardize: true)
            return SoftTargets.kd(student: x[0], teacher: zt, temperature: 2, standardize: true) + tckd + nckd
                + DML.peerLoss(member: x[0], peers: peers, temperature: 1, standardize: true)
                + Ensemble.loss(
                    student: x[0], teachers: [zt, peers[0]], weights: [0.5, 0.5], temperature: 2, average: .probabilities,
                    standardize: true)
        }
    }

    func testTheOptionIsDeclaredWhereTheKDTermIs() throws {
        let with = MethodRegistry.all.filter { $0.params.contains { $0.name == LogitStandardization.flag } }.map(\.name)
        XCTAssertEqual(Set(with), ["kd", "dkd", "eskd", "ensemble", "takd", "ban", "dml"])
        for entry in MethodRegistry.all { XCTAssertEqual(ParamSpec.problems(in: entry.params), [], entry.name) }
        // x+kd takes it with kd's conditional defaults.
        let atKD = try MethodRegistry.resolve("at+kd").specs
        XCTAssertEqual(atKD.first { $0.name == "T" }?.conditionalDefault?.value, .number(2))
        XCTAssertEqual(atKD.first { $0.name == "kd_weight" }?.defaultDescription, "0.9 (9 with logit_standardization)")
        XCTAssertNil(try MethodRegistry.resolve("at").specs.first { $0.name == LogitStandardization.flag })
    }

    func testConditionalDefaultsYieldToGivenKeys() {
        var p = ParamValues(defaults: DKD.params, path: "method").setting("logit_standardization", .bool(true))
        p["T"] = .number(3)
        p.applyConditionalDefaults(DKD.params, given: ["T", "logit_standardization"])
        XCTAssertEqual(try p.double("T"), 3, "a given key wins")
        XCTAssertEqual(try p.double("tckd_weight"), 9)
        XCTAssertEqual(try p.double("nckd_weight"), 72)
        var off = ParamValues(defaults: DKD.params, path: "method")
        off.applyConditionalDefaults(DKD.params, given: [])
        XCTAssertEqual(off, ParamValues(defaults: DKD.params, path: "method"), "nothing changes with the option off")
    }
}
