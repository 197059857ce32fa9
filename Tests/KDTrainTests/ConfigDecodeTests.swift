// Decoding valid configs: defaults filled in, shorthands, method params, per-command requirements,
// and the resolved JSON round trip (resolve → write → parse → resolve is identical).

import KDMethods
import KDTrain
import XCTest

final class ConfigDecodeTests: XCTestCase {
    func testMinimalConfigGetsEveryDefault() throws {
        let c = try ConfigFixtures.decode(ConfigFixtures.minimal, name: "mnist-lenet")
        XCTAssertEqual(c.name, "mnist-lenet")
        XCTAssertEqual(c.seed, 0)
        XCTAssertNil(c.threads)
        XCTAssertEqual(
            c.data,
            DataConfig(
                dataset: .mnist, dir: "data/mnist", validation: 0, limit: nil, testLimit: nil,
                normalize: true, labels: .fine, cropPadding: 0, flip: false))
        XCTAssertEqual(c.model, ModelConfig(name: "lenet5", dropout: 0))
        XCTAssertNil(c.teacher)
        XCTAssertNil(c.student)
        XCTAssertNil(c.method)
        XCTAssertEqual(
            c.optimizer,
            OptimizerConfig(
                name: .sgd, lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 5e-4,
                betas: [0.9, 0.999], eps: 1e-8))
        XCTAssertEqual(
            c.schedule,
            ScheduleConfig(
                name: .cosine, warmupEpochs: 0, stepSize: 30, milestones: [], gamma: 0.1,
                minLR: 0))
        XCTAssertEqual(c.epochs, 10)
        XCTAssertEqual(c.batchSize, 128)
        XCTAssertEqual(c.evalBatchSize, 1000)
        XCTAssertEqual(c.labelSmoothing, 0)
        XCTAssertTrue(c.stopOnNonfinite)
        XCTAssertEqual(c.output, OutputConfig(dir: "runs/mnist-lenet", keepEvery: 0))
        XCTAssertNoThrow(try c.validate(for: .trainTeacher, context: ConfigFixtures.context))
    }

    func testDistillConfig() throws {
        let c = try ConfigFixtures.decode(ConfigFixtures.distill)
        XCTAssertEqual(c.name, "kd-r8")
        XCTAssertEqual(c.output.dir, "runs/kd-r8")
        XCTAssertEqual(c.data.cropPadding, 4)
        XCTAssertTrue(c.data.flip)
        XCTAssertEqual(c.teacher, TeacherConfig(checkpoint: "runs/t/best.safetensors", model: nil, trainBN: false))
        XCTAssertEqual(c.student, ModelConfig(name: "resnet8", dropout: 0.1))
        XCTAssertEqual(c.method?.name, "kd")
        XCTAssertEqual(c.method?.parts, ["kd"])
        let p = try XCTUnwrap(c.method?.params)
        XCTAssertEqual(p.names, ["T", "ce_weight", "kd_weight"])
        XCTAssertEqual(try p.double("T"), 2)
        XCTAssertEqual(try p.double("kd_weight"), 0.9)
        XCTAssertEqual(c.optimizer.lr, 0.1)
        XCTAssertEqual(c.epochs, 3)
        XCTAssertNoThrow(try c.validate(for: .distill, context: ConfigFixtures.context))
    }

    func testShorthandsAndCombinations() throws {
        let c = try ConfigFixtures.decode(
            #"""
            {"data": {"dataset": "cifar100", "labels": "coarse"}, "teacher": "t.safetensors",
             "student": "wrn-16-2", "method": "at+kd", "threads": 2, "description": "d"}
            """#)
        XCTAssertEqual(c.teacher?.checkpoint, "t.safetensors")
        XCTAssertEqual(c.student, ModelConfig(name: "wrn-16-2"))
        XCTAssertEqual(c.method?.parts, ["at", "kd"])
        XCTAssertEqual(c.method?.params.names, ["beta", "p", "taps", "ce_weight", "mode", "T", "kd_weight"])
        XCTAssertEqual(try c.method?.params.double("ce_weight"), 0.1, "kd's default wins (RepDistiller), not at's 1")
        XCTAssertEqual(try c.method?.params.strings("taps"), ["layer1", "layer2", "layer3"])
        XCTAssertEqual(c.data.labels, .coarse)
        XCTAssertEqual(c.threads, 2)
        XCTAssertEqual(c.description, "d")
    }

    func testSchemaLinkIsIgnored() throws {
        let c = try ConfigFixtures.decode(#"{"$schema": "../configs/schema.json", "data": {"dataset": "mnist"}}"#)
        XCTAssertNil(c.resolvedJSON["$schema"])
    }

    func testNullMeansNotGivenAndIntegralRealsAreIntegers() throws {
        let c = try ConfigFixtures.decode(#"{"data": {"dataset": "mnist", "limit": 1e3}, "threads": null, "epochs": 5.0}"#)
        XCTAssertNil(c.threads)
        XCTAssertEqual(c.data.limit, 1000)
        XCTAssertEqual(c.epochs, 5)
    }

    func testMethodParamsAbsentDefaultStaysAbsent() throws {
        let c = try ConfigFixtures.decode(
            #"""
            {"data": {"dataset": "mnist"}, "student": "mlp-800-800", "method": {"name": "dml",
             "peers": ["lenet5", {"name": "mlp-100", "dropout": 0.5}]}}
            """#)
        let p = try XCTUnwrap(c.method?.params)
        XCTAssertFalse(p.contains("hint_epochs"))
        XCTAssertEqual(try p.optionalInt("hint_epochs"), nil)
        XCTAssertEqual(try p.models("peers"), [ModelConfig(name: "lenet5"), ModelConfig(name: "mlp-100", dropout: 0.5)])
        XCTAssertNoThrow(try c.validate(for: .distill, context: ConfigFixtures.context), "dml needs no teacher")
    }

    func testRequiredPerCommand() throws {
        func message(_ text: String, _ command: ConfigCommand) -> String {
            do {
                try ConfigFixtures.decode(text).validate(for: command, context: ConfigFixtures.context)
                return "(valid)"
            } catch {
                return "\(error)"
            }
        }
        let data = #""data": {"dataset": "mnist"}"#
        XCTAssertEqual(message("{\(data)}", .trainTeacher), "configs/x.json: model: required for train-teacher")
        XCTAssertEqual(message("{\(data)}", .distill), "configs/x.json: student: required for distill")
        XCTAssertEqual(message(#"{\#(data), "student": "lenet5"}"#, .distill), "configs/x.json: method: required for distill")
        XCTAssertEqual(
            message(#"{\#(data), "student": "lenet5", "method": "kd"}"#, .distill),
            "configs/x.json: teacher: required for distill with method 'kd'")
        XCTAssertEqual(
            message(#"{\#(data), "student": "lenet5", "method": "kd", "teacher": {"train_bn": true}}"#, .distill),
            "configs/x.json: teacher.checkpoint: required for distill with method 'kd'")
        XCTAssertEqual(
            message(#"{\#(data), "student": "lenet5", "method": "kd+at"}"#, .distill),
            "configs/x.json: teacher: required for distill with method 'at+kd'")
    }

    func testImpliedCommand() throws {
        XCTAssertEqual(try ConfigFixtures.decode(ConfigFixtures.minimal).impliedCommand, .trainTeacher)
        XCTAssertEqual(try ConfigFixtures.decode(ConfigFixtures.distill).impliedCommand, .distill)
        XCTAssertNil(try ConfigFixtures.decode(#"{"data": {"dataset": "mnist"}}"#).impliedCommand)
    }

    func testResolvedJSONRoundTrip() throws {
        for text in [
            ConfigFixtures.minimal, ConfigFixtures.distill,
            #"""
            {"data": {"dataset": "cifar100", "labels": "coarse", "limit": 10}, "student": "resnet8x4",
             "method": {"name": "at+kd", "p": 3}, "teacher": {"checkpoint": "t", "model": "resnet32x4"},
             "schedule": {"name": "multistep", "milestones": [5, 8]}, "threads": 3}
            """#,
        ] {
            let first = try ConfigFixtures.decode(text)
            let written = first.resolvedJSON.formatted()
            let second = try ExperimentConfig.decode(
                text: written, source: "config.json", defaultName: "other",
                context: ConfigFixtures.context)
            XCTAssertEqual(second.resolvedJSON, first.resolvedJSON)
            XCTAssertEqual(second.resolvedJSON.formatted(), written)
            XCTAssertEqual(second.name, first.name)
        }
    }

    func testResolvedJSONLayout() throws {
        let json = try ConfigFixtures.decode(ConfigFixtures.distill).resolvedJSON
        XCTAssertEqual(
            json.objectValue?.keys,
            [
                "name", "seed", "data", "teacher", "student", "method", "optimizer",
                "schedule", "epochs", "batch_size", "eval_batch_size", "label_smoothing",
                "stop_on_nonfinite", "output",
            ])
        XCTAssertEqual(json["method"], ["name": "kd", "T": 2.0, "ce_weight": 0.1, "kd_weight": 0.9])
        XCTAssertEqual(json["student"], ["name": "resnet8", "dropout": 0.1])
        XCTAssertEqual(json["optimizer"]?["weight_decay"], 5e-4)
        let text = json.formatted()
        XCTAssertTrue(text.contains(#""T": 2,"#), text)
        XCTAssertTrue(text.contains(#""weight_decay": 0.0005,"#), text)
        XCTAssertTrue(text.contains(#""eps": 1e-08"#), text)
    }

    func testLoadFromFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kdcfg-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("run-a.json")
        try ConfigFixtures.minimal.write(to: file, atomically: true, encoding: .utf8)
        let c = try ExperimentConfig.load(
            path: file.path, overrides: [try ConfigOverride(parsing: "seed=3")],
            context: ConfigFixtures.context)
        XCTAssertEqual(c.name, "run-a")
        XCTAssertEqual(c.seed, 3)
        XCTAssertEqual(c.source, file.path)
        let missing = dir.appendingPathComponent("nope.json").path
        XCTAssertThrowsError(try ExperimentConfig.load(path: missing, context: ConfigFixtures.context)) { error in
            XCTAssertEqual("\(error)", "\(missing): no such file")
        }
    }
}
