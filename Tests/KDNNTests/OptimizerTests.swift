// Optimizers: PyTorch trajectories (every SGD/Adam/AdamW option, skipped parameters, changing lr),
// exact resume from saved state, state validation, and convergence on small problems.

import Foundation
import KDNN
import KDTensor
import XCTest

final class OptimizerTests: XCTestCase {
    /// The case's parameters, named p0, p1, ..., plus a buffer no optimizer may touch.
    private func parameters(_ c: OptimGoldenCase) -> [NamedTensor] {
        c.shapes.enumerated().map { NamedTensor("p\($0)", Tensor(shape: $1, scalars: c.initial[$0])) }
            + [NamedTensor("stats", Tensor(shape: [2], scalars: [7, 8]), .buffer)]
    }

    private func optimizer(_ c: OptimGoldenCase, _ params: [NamedTensor]) -> Optimizer {
        switch c.kind {
        case "sgd": return SGD(params, lr: c.lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay)
        case "adam": return Adam(params, lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay)
        default: return AdamW(params, lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay)
        }
    }

    /// Runs steps `range` of the case, checking the parameters after each against PyTorch's.
    private func run(
        _ c: OptimGoldenCase, _ opt: Optimizer, _ params: [NamedTensor], _ range: Range<Int>,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        for s in range {
            opt.learningRate = c.lrs[s]
            for (i, g) in c.grads[s].enumerated() {
                params[i].tensor.grad = g.map { Tensor(shape: c.shapes[i], scalars: $0) }
            }
            opt.step()
            for (i, expected) in c.after[s].enumerated() {
                let got = params[i].tensor.scalars
                for (a, b) in zip(got, expected) {
                    // Relative error, floored at 0.1 (parameters are O(1); PyTorch fuses p + α·d into one FMA).
                    let err = abs(a - b) / max(abs(b), 0.1)
                    XCTAssertLessThan(err, 1e-6, "\(c.name) step \(s) p\(i): \(got) vs \(expected)", file: file, line: line)
                }
            }
            opt.zeroGrad()
            XCTAssertTrue(params.allSatisfy { $0.tensor.grad == nil })
        }
        XCTAssertEqual(params.last?.tensor.scalars, [7, 8], "buffers are not updated", file: file, line: line)
    }

    func testTrajectoriesMatchPyTorch() {
        XCTAssertEqual(OptimGolden.optimizers.count, 10)
        for c in OptimGolden.optimizers {
            let params = parameters(c)
            run(c, optimizer(c, params), params, 0..<c.lrs.count)
        }
    }

    func testResumingFromSavedStateContinuesTheSameTrajectory() throws {
        let dir = makeTempDir(self)
        for c in OptimGolden.optimizers {
            let params = parameters(c)
            let first = optimizer(c, params)
            run(c, first, params, 0..<2)
            let path = dir + "/\(c.name).safetensors"
            try SafetensorsFile(tensors: first.stateTensors()).write(to: path)
            // A fresh optimizer over fresh tensors holding the same values, as after a restart.
            let resumed = params.map { NamedTensor($0.name, $0.tensor.copy(), $0.role) }
            let second = optimizer(c, resumed)
            try second.loadState(SafetensorsFile.read(path: path).tensors, source: path)
            run(c, second, resumed, 2..<c.lrs.count)
        }
    }

    func testStateNames() {
        let c = OptimGolden.optimizers.first { $0.name == "adam" }!
        let params = parameters(c)
        let adam = optimizer(c, params)
        XCTAssertTrue(adam.stateTensors().isEmpty)
        run(c, adam, params, 0..<1)  // p1 has no gradient at step 0
        XCTAssertEqual(
            adam.stateTensors().map(\.name),
            [
                "exp_avg.p0", "exp_avg_sq.p0", "step.p0",
                "exp_avg.p2", "exp_avg_sq.p2", "step.p2",
            ])
        let s = OptimGolden.optimizers.first { $0.name == "sgd" }!
        let sParams = parameters(s)
        let plain = optimizer(s, sParams)
        run(s, plain, sParams, 0..<1)
        XCTAssertTrue(plain.stateTensors().isEmpty, "plain SGD keeps no state")
    }

    func testLoadStateRejectsForeignState() {
        let c = OptimGolden.optimizers.first { $0.name == "adamw" }!
        let adam = optimizer(c, parameters(c))
        let v = Tensor.zeros([2, 3])
        let cases: [([(name: String, tensor: Tensor)], String)] = [
            (
                [("exp_avg.p9", v)],
                "s: exp_avg.p9: expected state of a parameter of this model, found no parameter p9 (state of another model?)"
            ),
            (
                [("momentum_buffer.p0", v)],
                "s: momentum_buffer.p0: expected a slot among exp_avg, exp_avg_sq, step, found slot momentum_buffer"
            ),
            (
                [("exp_avg", v)],
                "s: exp_avg: expected a key <slot>.<parameter> with slot one of exp_avg, exp_avg_sq, step, found no slot"
            ),
            (
                [("exp_avg.p0", Tensor.zeros([3, 2]))],
                "s: exp_avg.p0: expected shape [2, 3], found [3, 2] (state of another model?)"
            ),
            (
                [("exp_avg.p0", v), ("exp_avg_sq.p0", v)],
                "s: p0: expected all of exp_avg, exp_avg_sq, step or none, found exp_avg, exp_avg_sq"
            ),
            ([("step.p0", Tensor(1.5))], "s: step.p0: expected a positive whole step count, found Tensor[][1.5]"),
            ([("exp_avg.p0", v), ("exp_avg.p0", v)], "s: exp_avg.p0: expected one entry per key, found the key twice"),
        ]
        for (entries, message) in cases {
            assertCheckpointError(message) { try adam.loadState(entries, source: "s") }
        }
    }

    func testLargeParametersUpdateLikeSmallOnes() {
        // Big tensors run SIMD blocks split over threads, one-element tensors the scalar tail:
        // every element must get the same update, bit for bit.
        let makers: [([NamedTensor]) -> Optimizer] = [
            { SGD($0, lr: 0.1, weightDecay: 1e-3) },
            { SGD($0, lr: 0.1, momentum: 0.9) },
            { SGD($0, lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3) },
            { Adam($0, lr: 0.01, weightDecay: 0.1) },
            { AdamW($0, lr: 0.01, weightDecay: 0.1) },
        ]
        let n = 100_003, stride = 1_601  // n > 2 · 32768: split over two threads
        for (k, make) in makers.enumerated() {
            var rng = SeededGenerator(seed: 5)
            let big = Tensor.randomNormal([n], rng: &rng), grad = Tensor.randomNormal([n], rng: &rng)
            let small = (0..<63).map { Tensor(shape: [1], scalars: [big.data[$0 * stride]]) }
            let optBig = make([NamedTensor("w", big)])
            let optSmall = make(small.enumerated().map { NamedTensor("w\($0)", $1) })
            for _ in 0..<3 {
                big.grad = grad
                for (i, t) in small.enumerated() { t.grad = Tensor(shape: [1], scalars: [grad.data[i * stride]]) }
                optBig.step()
                optSmall.step()
            }
            for (i, t) in small.enumerated() {
                XCTAssertEqual(t.data[0], big.data[i * stride], "optimizer \(k) element \(i * stride)")
            }
        }
    }

    /// Least squares y = X·w + b on 64 points: every optimizer must cut the loss 100-fold.
    func testConvergesOnLeastSquares() {
        var rng = SeededGenerator(seed: 21)
        let x = Tensor.randomNormal([64, 5], rng: &rng)
        let wTrue = Tensor(shape: [1, 5], scalars: [0.5, -1, 2, 0.25, -0.75])
        let y = noGrad { linear(x, weight: wTrue, bias: Tensor(shape: [1], scalars: [0.3])) }
        let makers: [(String, ([NamedTensor]) -> Optimizer)] = [
            ("sgd", { SGD($0, lr: 0.1) }),
            ("sgd momentum", { SGD($0, lr: 0.05, momentum: 0.9, weightDecay: 1e-5) }),
            ("sgd nesterov", { SGD($0, lr: 0.05, momentum: 0.9, nesterov: true) }),
            ("adam", { Adam($0, lr: 0.05) }),
            ("adamw", { AdamW($0, lr: 0.05, weightDecay: 1e-4) }),
        ]
        for (name, make) in makers {
            let w = Tensor.zeros([1, 5]), b = Tensor.zeros([1])
            w.requiresGrad = true
            b.requiresGrad = true
            let opt = make([NamedTensor("w", w), NamedTensor("b", b)])
            func loss() -> Tensor { mseLoss(linear(x, weight: w, bias: b), y) }
            let initial = noGrad { loss().item }
            for _ in 0..<300 {
                opt.zeroGrad()
                loss().backward()
                opt.step()
            }
            let final = noGrad { loss().item }
            XCTAssertLessThan(final, initial / 100, "\(name): \(initial) → \(final)")
        }
    }

    /// Logistic regression on two separable blobs with cross-entropy.
    func testConvergesOnLogisticRegression() {
        var rng = SeededGenerator(seed: 8)
        let n = 64
        let x = Tensor.randomNormal([n, 2], rng: &rng)
        var labels = [Int32]()
        for i in 0..<n {
            let c = Int32(i % 2)
            x.data[2 * i] += c == 0 ? -3 : 3
            labels.append(c)
        }
        let w = Tensor.zeros([2, 2]), b = Tensor.zeros([2])
        w.requiresGrad = true
        b.requiresGrad = true
        let opt = SGD([NamedTensor("w", w), NamedTensor("b", b)], lr: 0.5, momentum: 0.9)
        func loss() -> Tensor { crossEntropy(linear(x, weight: w, bias: b), labels: labels) }
        let initial = noGrad { loss().item }
        for _ in 0..<200 {
            opt.zeroGrad()
            loss().backward()
            opt.step()
        }
        XCTAssertLessThan(noGrad { loss().item }, initial / 100)
    }
}
