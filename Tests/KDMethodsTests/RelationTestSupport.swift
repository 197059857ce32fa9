// RelationTestSupport: tiny zoo models, method setups and step contexts for the kd, rkd, sp, eskd and
// ensemble tests (namespaced so other method test files can keep their own helpers).

import KDMethods
import KDNN
import KDTensor
import TestSupport
import XCTest

/// Builders shared by the relation-method tests.
enum RelationFixtures {
    /// A zoo model for `input`, by default `[3, 16, 16]` (or `[1, 28, 28]` for lenet5 and MLPs).
    static func model(_ name: String, input: [Int]? = nil, classes: Int = 10, seed: UInt64 = 1) throws -> Model {
        let input = input ?? (name == "lenet5" || name.hasPrefix("mlp-") ? [1, 28, 28] : [3, 16, 16])
        return try Zoo.build(ModelSpec(name: name, inputShape: input, numClasses: classes), seed: seed)
    }

    /// A setup of `student` with `teachers`.
    static func setup(_ student: Model, _ teachers: [Model], epochs: Int = 6, augmented: Bool = false) -> MethodSetup {
        MethodSetup(student: student, teachers: teachers, epochs: epochs, seed: 3, augmented: augmented)
    }

    /// The parameters `values` of `name` over its declared defaults, under the key path `method`.
    static func params(_ name: String, _ values: [String: ParamValue] = [:]) -> ParamValues {
        var p = ParamValues(defaults: MethodRegistry.entry(name)?.params ?? [], path: "method")
        for (k, v) in values.sorted(by: { $0.key < $1.key }) { p[k] = v }
        return p
    }

    /// Builds method `parts` (e.g. `["rkd"]`, `["sp", "kd"]`) with `values` over the defaults of every part.
    static func build(_ parts: [String], _ values: [String: ParamValue] = [:], setup: MethodSetup) throws -> DistillationMethod {
        let specs = (try? MethodRegistry.resolve(parts.joined(separator: "+")).specs) ?? []
        var p = ParamValues(defaults: specs, path: "method")
        for (k, v) in values.sorted(by: { $0.key < $1.key }) { p[k] = v }
        return try MethodRegistry.buildSingle(parts: parts, params: p, setup: setup)
    }

    /// One training step's context: the student on the tape (training mode), the teachers frozen.
    static func step(_ setup: MethodSetup, batch: Int = 4, epoch: Int = 0, seed: UInt64 = 5) -> StepContext {
        let x = randomTensor([batch] + setup.student.spec.inputShape, seed: seed)
        let labels = (0..<batch).map { Int32($0 % setup.student.spec.numClasses) }
        let student = setup.student.forward(x, ForwardContext(training: true))
        let teachers = setup.teachers.map { t in noGrad { t.forward(x, .eval) } }
        return StepContext(
            labels: labels, student: student, teachers: teachers, epoch: epoch, stage: Stage("train", epochs: setup.epochs))
    }

    /// A tensor of `shape` holding `values`.
    static func tensor(_ shape: [Int], _ values: [Float]) -> Tensor { Tensor(shape: shape, scalars: values) }

    /// The term named `name`, failing the test when absent.
    static func term(_ terms: [LossTerm], _ name: String, file: StaticString = #filePath, line: UInt = #line) -> Tensor? {
        guard let t = terms.first(where: { $0.name == name }) else {
            XCTFail("no term \(name) in \(terms.map(\.name))", file: file, line: line)
            return nil
        }
        return t.value
    }

    /// The message of the MethodError (or other error) `body` throws, nil when it does not throw.
    static func error(_ body: () throws -> Any) -> String? {
        do { _ = try body() } catch { return "\(error)" }
        return nil
    }
}
