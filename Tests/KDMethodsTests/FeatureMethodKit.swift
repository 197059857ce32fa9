// FeatureMethodKit: helpers of the fitnet/at/fsp tests: tiny zoo setups, one training step's context,
// golden inputs rebuilt from their formula and gradients compared with the golden ones, and parameter
// unions as the config decoder forms them.

import Foundation
import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

enum FeatureMethodKit {
    /// Student (and teacher) built from the zoo on `input`, 10 classes.
    static func setup(
        student: String, teacher: String?, input: [Int] = [3, 16, 16], epochs: Int = 6,
        seed: UInt64 = 3
    ) throws -> MethodSetup {
        let s = try Zoo.build(ModelSpec(name: student, inputShape: input, numClasses: 10), seed: seed)
        let t = try teacher.map { try Zoo.build(ModelSpec(name: $0, inputShape: input, numClasses: 10), seed: seed + 1) }
        return MethodSetup(student: s, teachers: t.map { [$0] } ?? [], epochs: epochs, seed: seed, augmented: true)
    }

    /// One step on a random batch: the student on the tape in training mode, the teacher in eval without it.
    static func step(_ setup: MethodSetup, stage: Stage, batch: Int = 4) -> StepContext {
        let x = randomTensor([batch] + setup.student.spec.inputShape, seed: 11)
        let labels = (0..<batch).map { Int32($0 % 10) }
        let student = setup.student.forward(x, ForwardContext(training: true))
        let teachers = setup.teachers.map { t in noGrad { t.forward(x, .eval) } }
        return StepContext(labels: labels, student: student, teachers: teachers, epoch: 0, stage: stage)
    }

    /// The build of `parts` with the union of their declared defaults (first declaration wins) plus `extra`.
    static func build(_ parts: [String], _ setup: MethodSetup, _ extra: [String: ParamValue] = [:]) throws -> DistillationMethod {
        try MethodRegistry.buildSingle(parts: parts, params: params(parts, extra), setup: setup)
    }

    /// Defaults of `parts` by the registry's combine rule (as the config decoder resolves them), under
    /// path `method`, with `extra` set.
    static func params(_ parts: [String], _ extra: [String: ParamValue] = [:]) -> ParamValues {
        let specs = (try? MethodRegistry.resolve(parts.joined(separator: "+")).specs) ?? []
        var values = ParamValues(defaults: specs, path: "method")
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) { values[k] = v }
        return values
    }

    /// The error message `body` throws (fails if it does not throw).
    static func message(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try body()
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch { return "\(error)" }
    }

    /// A golden input: x[i] = sin(0.37·i + offset), requiring a gradient.
    static func tensor(_ m: FeatureGoldenMap) -> Tensor {
        let t = golden(m)
        t.requiresGrad = true
        return t
    }

    /// A golden input as a constant (a teacher's map).
    static func golden(_ m: FeatureGoldenMap) -> Tensor {
        let n = m.shape.reduce(1, *)
        return Tensor(shape: m.shape, scalars: (0..<n).map { Float(sin(0.37 * Double($0) + m.offset)) })
    }

    /// Each tensor's accumulated gradient against its float64 PyTorch reference: within 1e-3 relative,
    /// with a floor of 1e-5 of the largest reference entry (float32 rounding of sums of many terms).
    static func assertGradients(
        _ tensors: [Tensor], _ expected: [[Float]], _ name: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(tensors.count, expected.count, "\(name): gradient count", file: file, line: line)
        for (k, (t, g)) in zip(tensors, expected).enumerated() {
            let floor = 1e-5 * (g.map { Swift.abs($0) }.max() ?? 0)
            assertClose(t.grad?.scalars ?? [], g, atol: floor, rtol: 1e-3, "\(name) gradient \(k)", file: file, line: line)
        }
    }

    /// Names of a step's loss terms.
    static func names(_ terms: [LossTerm]) -> [String] { terms.map(\.name) }
}
