// BAN (Furlanello et al. 2018) and TAKD (Mirzadeh et al. 2020): run plans with and without a teacher,
// the kd parameters each run gets, ensembles, and the pipeline/cohort builders' errors.

import KDMethods
import XCTest

final class PipelineTests: XCTestCase {
    let student = ModelConfig(name: "resnet8")

    func pipeline(_ name: String, _ values: [String: ParamValue] = [:]) throws -> PipelineMethod {
        guard let entry = MethodRegistry.entry(name) else { throw MethodError("no entry \(name)") }
        var p = ParamValues(defaults: entry.params, path: "method")
        for (k, v) in values { p[k] = v }
        return try MethodRegistry.buildPipeline(name: name, params: p)
    }

    func kdParams(T: Double, ce: Double, kd: Double) -> ParamValues {
        ParamValues(defaults: KD.params, path: "method").setting("T", .number(T)).setting("ce_weight", .number(ce))
            .setting("kd_weight", .number(kd)).setting("cache_teacher", false)
    }

    func testDeclarationsAreSound() {
        XCTAssertEqual(ParamSpec.problems(in: BAN.params), [])
        XCTAssertEqual(ParamSpec.problems(in: TAKD.params), [])
        XCTAssertEqual(MethodRegistry.entry("ban")?.teacher, .optional)
        XCTAssertEqual(MethodRegistry.entry("takd")?.teacher, .required)
        XCTAssertEqual(MethodRegistry.shapeLabel(of: "ban"), "pipeline")
        XCTAssertEqual(MethodRegistry.shapeLabel(of: "zz+kd"), nil, "unknown part")
        XCTAssertEqual(MethodRegistry.shapeLabel(of: "kd"), "single-student")
    }

    func testBANDefaultPlanWithTeacher() throws {
        let ban = try pipeline("ban")
        let runs = try ban.plan(student: student, hasTeacher: true)
        XCTAssertEqual(runs.map(\.name), ["gen1", "gen2", "gen3"])
        XCTAssertEqual(runs.map(\.teacher), [.configured, .run("gen1"), .run("gen2")])
        XCTAssertTrue(runs.allSatisfy { $0.model == student })
        let pure = kdParams(T: 1, ce: 0, kd: 1)
        XCTAssertTrue(runs.allSatisfy { $0.kdParams == pure }, "BAN: T 1, no label term, KL weight 1")
        XCTAssertEqual(ban.ensembleRuns, ["gen1", "gen2", "gen3"])
    }

    func testBANWithoutTeacherTrainsGenerationZeroFirst() throws {
        let ban = try pipeline("ban", ["label_weight": 0.5, "T": 2])
        let runs = try ban.plan(student: student, hasTeacher: false)
        XCTAssertEqual(runs.map(\.name), ["gen0", "gen1", "gen2", "gen3"])
        XCTAssertEqual(runs.map(\.teacher), [PipelineTeacher.none, .run("gen0"), .run("gen1"), .run("gen2")])
        XCTAssertEqual(runs[1].kdParams, kdParams(T: 2, ce: 0.5, kd: 1), "BAN+L: label_weight is the kd ce_weight")
        XCTAssertEqual(ban.ensembleRuns, ["gen1", "gen2", "gen3"], "gen0 is not part of the ensemble")
    }

    func testBANOneGeneration() throws {
        let ban = try pipeline("ban", ["generations": 1])
        XCTAssertEqual(try ban.plan(student: student, hasTeacher: true).map(\.name), ["gen1"])
        let runs = try ban.plan(student: student, hasTeacher: false)
        XCTAssertEqual(runs.map(\.name), ["gen0", "gen1"])
        XCTAssertEqual(runs.map(\.teacher), [PipelineTeacher.none, .run("gen0")])
        XCTAssertEqual(ban.ensembleRuns, [], "one generation is no ensemble")
        XCTAssertEqual(try pipeline("ban", ["ensemble_eval": false]).ensembleRuns, [])
    }

    func testTAKDPlan() throws {
        let takd = try pipeline("takd", ["assistant": .model(ModelConfig(name: "resnet14"))])
        let runs = try takd.plan(student: student, hasTeacher: true)
        XCTAssertEqual(
            runs,
            [
                PipelineRun(
                    name: "assistant", model: ModelConfig(name: "resnet14"), teacher: .configured,
                    kdParams: kdParams(T: 4, ce: 0.1, kd: 0.9)),
                PipelineRun(
                    name: "student", model: student, teacher: .run("assistant"), kdParams: kdParams(T: 4, ce: 0.1, kd: 0.9)),
            ])
        XCTAssertEqual(takd.ensembleRuns, [])
        let custom = try pipeline(
            "takd", ["assistant": .model(ModelConfig(name: "resnet20")), "T": 2, "ce_weight": 0.5, "kd_weight": 0.5])
        XCTAssertTrue(
            try custom.plan(student: student, hasTeacher: true).allSatisfy { $0.kdParams == kdParams(T: 2, ce: 0.5, kd: 0.5) })
    }

    func testErrors() {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try self.pipeline("takd") }, "method.assistant: missing")
        XCTAssertEqual(
            message {
                try self.pipeline("takd", ["assistant": .model(ModelConfig(name: "resnet14"))]).plan(
                    student: self.student, hasTeacher: false)
            },
            "teacher.checkpoint: missing; takd distils the teacher into the assistant")
        XCTAssertEqual(
            message { try self.pipeline("ban", ["generations": 0]) }, "method.generations: expected an integer >= 1, found 0")
        let empty = ParamValues(path: "method")
        XCTAssertEqual(
            message { try MethodRegistry.buildPipeline(name: "kd", params: empty) },
            "method.name: kd is a single-student method, not a pipeline method")
        XCTAssertEqual(
            message { try MethodRegistry.buildPipeline(name: "dml", params: empty) },
            "method.name: dml is a cohort method, not a pipeline method")
        XCTAssertEqual(
            message { try MethodRegistry.buildCohort(name: "ban", params: empty, student: self.student) },
            "method.name: ban is a pipeline method, not a cohort method")
        XCTAssertEqual(
            message { try MethodRegistry.buildCohort(name: "dml+kd", params: empty, student: self.student) },
            "method.name: 'dml' is a cohort method and cannot be combined with '+' (in 'dml+kd')")
        XCTAssertEqual(
            message { try MethodRegistry.buildPipeline(name: "kd+ban", params: empty) },
            "method.name: 'ban' is a pipeline method and cannot be combined with '+' (in 'kd+ban')")
        XCTAssertEqual(
            message { try MethodRegistry.buildPipeline(name: "kd+kd", params: empty) },
            "method.name: method 'kd' appears twice in 'kd+kd'")
        XCTAssertEqual(
            message { try MethodRegistry.buildPipeline(name: "bann", params: empty) },
            "method.name: unknown method 'bann'")
    }
}
