// ExperimentConfig decoding: file → JSON → `--set` overrides → checked against ConfigSchema →
// typed config with defaults (including the derived ones: name, data.dir, output.dir) and the
// cross-key checks (coarse labels need cifar100; milestones increase).

import Foundation
import KDData
import KDMethods

extension ExperimentConfig {
    /// Reads the config at `path`, applies `overrides` in order, and decodes it. Every error is a
    /// ConfigError naming `path` and the key path.
    public static func load(
        path: String, overrides: [ConfigOverride] = [],
        context: ConfigContext
    ) throws(ConfigError) -> ExperimentConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw ConfigError(source: path, message: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(source: path, message: "expected UTF-8 text, found invalid bytes")
        }
        return try decode(
            text: text, source: path, defaultName: baseName(of: path), overrides: overrides,
            context: context)
    }

    /// Parses and decodes config `text` (from `source`, whose name is `defaultName` when it gives none).
    public static func decode(
        text: String, source: String, defaultName: String, overrides: [ConfigOverride] = [],
        context: ConfigContext
    ) throws(ConfigError) -> ExperimentConfig {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            throw ConfigError(source: source, message: error.description)
        }
        return try decode(json, source: source, defaultName: defaultName, overrides: overrides, context: context)
    }

    /// Decodes a parsed config: applies `overrides` (method replacements first, MethodReplacement),
    /// checks every key, fills defaults.
    public static func decode(
        _ json: JSONValue, source: String, defaultName: String, overrides: [ConfigOverride] = [],
        context: ConfigContext
    ) throws(ConfigError) -> ExperimentConfig {
        let replaced = try MethodReplacement.apply(overrides, to: json, source: source, context: context)
        let tree = try ConfigOverride.apply(replaced.rest, to: replaced.tree, source: source, context: context)
        let decoder = ParamDecoder(context: context, source: source, overridden: overrides.map(\.keyPath))
        guard case .object(var object) = tree else {
            throw ConfigError(source: source, message: "expected an object at the top level, found \(tree.typeName)")
        }
        if case .string? = object["$schema"] { object["$schema"] = nil }  // editors' schema link, not config
        let values = try decoder.decodeObject(.object(object), specs: ConfigSchema.fields, path: "")
        do {
            return try ExperimentConfig(values: values, source: source, defaultName: defaultName, decoder: decoder)
        } catch let error as ConfigError {
            throw error
        } catch let error as ParamError {
            throw decoder.error(error.path, error.message)
        } catch {
            throw ConfigError(source: source, message: "\(error)")
        }
    }

    /// `configs/kd-resnet.json` → `kd-resnet`.
    public static func baseName(of path: String) -> String {
        let file = URL(fileURLWithPath: path).lastPathComponent
        return file.hasSuffix(".json") ? String(file.dropLast(5)) : file
    }

    /// Builds the typed config from schema-checked values (the getters cannot fail on them, but
    /// would throw rather than crash).
    init(values v: ParamValues, source: String, defaultName: String, decoder: ParamDecoder) throws {
        self.source = source
        name = try v.optionalString("name") ?? defaultName
        if name.isEmpty { throw decoder.error("name", "expected a non-empty string, found \"\"") }
        seed = try v.int("seed")
        threads = try v.optionalInt("threads")
        description = try v.optionalString("description")

        let d = try v.object("data")
        let augment = try d.object("augment")
        let dataset = try Self.enumValue(DatasetName.self, d, "dataset")
        let labels = try Self.enumValue(LabelGranularity.self, d, "labels")
        if labels == .coarse, dataset != .cifar100 {
            throw decoder.error(
                "data.labels",
                "expected 'fine' for dataset '\(dataset.rawValue)' (coarse labels exist "
                    + "only in cifar100), found \"coarse\"")
        }
        data = DataConfig(
            dataset: dataset, dir: try d.optionalString("dir") ?? "data/" + dataset.rawValue,
            validation: try d.int("validation"), limit: try d.optionalInt("limit"),
            testLimit: try d.optionalInt("test_limit"), normalize: try d.bool("normalize"),
            labels: labels, cropPadding: try augment.int("crop_padding"), flip: try augment.bool("flip"),
            labeled: try d.contains("labeled") ? Self.labeled(try d.object("labeled"), seed: seed, decoder: decoder) : nil)
        if d.contains("imbalance") {
            data.imbalance = try Self.imbalance(try d.object("imbalance"), data: data, seed: seed, decoder: decoder)
        }
        if d.contains("transfer") {
            data.transfer = try Self.transfer(try d.object("transfer"), data: data, seed: seed, decoder: decoder)
        }
        try Self.decodeViews(d, into: &data, decoder: decoder)

        model = try v.optionalModel("model")
        if v.contains("teacher") {
            let t = try v.object("teacher")
            teacher = TeacherConfig(
                checkpoint: try t.optionalString("checkpoint"), model: try t.optionalModel("model"),
                trainBN: try t.bool("train_bn"))
        }
        student = try v.optionalModel("student")
        if v.contains("method") {
            var params = try v.object("method")
            let methodName = try params.string("name")
            params["name"] = nil
            method = MethodConfig(
                name: methodName, parts: methodName.split(separator: "+").map(String.init),
                params: params)
        }

        let o = try v.object("optimizer")
        optimizer = OptimizerConfig(
            name: try Self.enumValue(OptimizerName.self, o, "name"), lr: try o.double("lr"),
            momentum: try o.double("momentum"), nesterov: try o.bool("nesterov"),
            weightDecay: try o.double("weight_decay"), betas: try o.doubles("betas"),
            eps: try o.double("eps"))
        if optimizer.nesterov && optimizer.momentum <= 0 {
            throw decoder.error(
                "optimizer.nesterov", "expected momentum > 0 for Nesterov momentum, found momentum \(optimizer.momentum)")
        }
        let s = try v.object("schedule")
        let milestones = try s.ints("milestones")
        for k in milestones.indices.dropFirst() where milestones[k] <= milestones[k - 1] {
            throw decoder.error(
                "schedule.milestones[\(k)]",
                "expected an epoch after \(milestones[k - 1]), found \(milestones[k])")
        }
        schedule = ScheduleConfig(
            name: try Self.enumValue(ScheduleName.self, s, "name"),
            warmupEpochs: try s.double("warmup_epochs"), stepSize: try s.int("step_size"),
            milestones: milestones, gamma: try s.double("gamma"), minLR: try s.double("min_lr"))

        epochs = try v.int("epochs")
        batchSize = try v.int("batch_size")
        evalBatchSize = try v.int("eval_batch_size")
        labelSmoothing = try v.double("label_smoothing")
        stopOnNonfinite = try v.bool("stop_on_nonfinite")
        let out = try v.object("output")
        output = OutputConfig(dir: try out.optionalString("dir") ?? "runs/" + name, keepEvery: try out.int("keep_every"))
        adversarial = try v.contains("adversarial") ? Self.adversarial(try v.object("adversarial")) : nil
        evaluation = try v.contains("evaluation") ? Self.evaluation(try v.object("evaluation")) : nil
        quantize = try Self.enumValue(QuantizeMode.self, v, "quantize")
    }

    /// `data.labeled`: exactly one of size (a bare number: a fraction below 1, else a whole count), count,
    /// fraction and per_class; the seed defaults to the run's.
    static func labeled(_ l: ParamValues, seed: Int, decoder: ParamDecoder) throws -> LabeledConfig {
        let given = ["size", "count", "fraction", "per_class"].filter { l.contains($0) }
        guard given.count == 1 else {
            throw decoder.error(
                "data.labeled",
                "expected exactly one of size, count, fraction and per_class, found "
                    + (given.isEmpty ? "none" : given.joined(separator: " and ")))
        }
        let amount: LabeledAmount
        switch given[0] {
        case "count": amount = .count(try l.int("count"))
        case "fraction": amount = .fraction(try l.double("fraction"))
        case "per_class": amount = .perClass(try l.int("per_class"))
        default:
            let x = try l.double("size")
            if x < 1 {
                amount = .fraction(x)
            } else if x == x.rounded(), x <= 1e9 {
                amount = .count(Int(x))
            } else {
                throw decoder.error("data.labeled.size", "expected a fraction below 1 or a whole count, found \(x)")
            }
        }
        return LabeledConfig(
            amount: amount, seed: try l.optionalInt("seed") ?? seed, perBatch: try l.optionalInt("per_batch"),
            ceReduction: try enumValue(CEReduction.self, l, "ce_reduction"))
    }

    /// `data.imbalance`: ratio (a bare number), an order that names every class once, the seed (default: the run's).
    static func imbalance(_ m: ParamValues, data: DataConfig, seed: Int, decoder: ParamDecoder) throws -> ImbalanceConfig {
        let order = m.contains("order") ? try m.ints("order") : nil
        let k = data.numClasses
        if let order, order.sorted() != Array(0..<k) {
            throw decoder.error(
                "data.imbalance.order",
                "expected each class of \(data.dataset.rawValue) once (a permutation of 0..\(k - 1)), found "
                    + ParamDecoder.show(.array(order.map(JSONValue.int))))
        }
        return ImbalanceConfig(ratio: try m.double("ratio"), order: order, seed: try m.optionalInt("seed") ?? seed)
    }

    /// `data.transfer`: dataset and dir default to data's; at most one of exclude_classes and include_classes.
    static func transfer(_ t: ParamValues, data: DataConfig, seed: Int, decoder: ParamDecoder) throws -> TransferConfig {
        let dataset = t.contains("dataset") ? try enumValue(DatasetName.self, t, "dataset") : data.dataset
        let split = try enumValue(Split.self, t, "split")
        if dataset == data.dataset && split == .test {
            throw decoder.error(
                "data.transfer.split",
                "expected train for data.dataset's own images (its test split tests the run), found \"test\"")
        }
        let (exclude, include) = (try t.ints("exclude_classes"), try t.ints("include_classes"))
        if !exclude.isEmpty && !include.isEmpty {
            throw decoder.error("data.transfer", "expected exclude_classes or include_classes, found both")
        }
        return TransferConfig(
            dataset: dataset,
            dir: try t.optionalString("dir") ?? (dataset == data.dataset ? data.dir : "data/" + dataset.rawValue),
            split: split, excludeClasses: exclude, includeClasses: include, limit: try t.optionalInt("limit"),
            includeLabeled: try t.bool("include_labeled"), seed: try t.optionalInt("seed") ?? seed)
    }

    static func enumValue<E: RawRepresentable>(
        _ type: E.Type, _ values: ParamValues,
        _ key: String
    ) throws -> E where E.RawValue == String {
        let raw = try values.string(key)
        guard let e = E(rawValue: raw) else {
            throw ParamError(path: values.keyPath(key), message: "unexpected value \"\(raw)\"")
        }
        return e
    }
}
