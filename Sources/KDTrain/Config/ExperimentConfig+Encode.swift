// ExperimentConfig → JSON: the fully resolved config (every default filled in, shorthands
// expanded, absent optional keys left out) in schema order, for config.json and checkpoints.
// Decoding this JSON again gives the same config.

import KDMethods

extension ExperimentConfig {
    /// The resolved config as JSON (write it with `formatted()`).
    public var resolvedJSON: JSONValue {
        var o = JSONObject()
        o["name"] = .string(name)
        o["seed"] = .int(seed)
        o["threads"] = threads.map(JSONValue.int)
        o["description"] = description.map(JSONValue.string)
        var d: JSONObject = [
            "dataset": .string(data.dataset.rawValue), "dir": .string(data.dir), "validation": .int(data.validation),
        ]
        d["limit"] = data.limit.map(JSONValue.int)
        d["test_limit"] = data.testLimit.map(JSONValue.int)
        d["normalize"] = .bool(data.normalize)
        d["labels"] = .string(data.labels.rawValue)
        if let imbalance = data.imbalance {
            var m: JSONObject = ["ratio": .number(imbalance.ratio)]
            m["order"] = imbalance.order.map { .array($0.map(JSONValue.int)) }
            m["seed"] = .int(imbalance.seed)
            d["imbalance"] = .object(m)
        }
        if let labeled = data.labeled {
            var l = JSONObject()
            switch labeled.amount {
            case .count(let n): l["count"] = .int(n)
            case .fraction(let f): l["fraction"] = .number(f)
            case .perClass(let n): l["per_class"] = .int(n)
            }
            l["seed"] = .int(labeled.seed)
            l["per_batch"] = labeled.perBatch.map(JSONValue.int)
            l["ce_reduction"] = .string(labeled.ceReduction.rawValue)
            d["labeled"] = .object(l)
        }
        if let transfer = data.transfer {
            var t: JSONObject = ["dataset": .string(transfer.dataset.rawValue), "dir": .string(transfer.dir)]
            t["split"] = .string(transfer.split.rawValue)
            t["exclude_classes"] = .array(transfer.excludeClasses.map(JSONValue.int))
            t["include_classes"] = .array(transfer.includeClasses.map(JSONValue.int))
            t["limit"] = transfer.limit.map(JSONValue.int)
            t["include_labeled"] = .bool(transfer.includeLabeled)
            t["seed"] = .int(transfer.seed)
            d["transfer"] = .object(t)
        }
        d["student_view"] = data.studentView.map(Self.json)
        d["student_data"] = data.studentData.map(Self.json)
        d["augment"] = ["crop_padding": .int(data.cropPadding), "flip": .bool(data.flip)]
        o["data"] = .object(d)
        o["model"] = model.map(Self.json)
        if let teacher {
            var t = JSONObject()
            t["checkpoint"] = teacher.checkpoint.map(JSONValue.string)
            t["model"] = teacher.model.map(Self.json)
            t["train_bn"] = .bool(teacher.trainBN)
            o["teacher"] = .object(t)
        }
        o["student"] = student.map(Self.json)
        if let method {
            var m: JSONObject = ["name": .string(method.name)]
            for (key, value) in method.params { m[key] = Self.json(value) }
            o["method"] = .object(m)
        }
        o["optimizer"] = [
            "name": .string(optimizer.name.rawValue), "lr": .number(optimizer.lr), "momentum": .number(optimizer.momentum),
            "nesterov": .bool(optimizer.nesterov), "weight_decay": .number(optimizer.weightDecay),
            "betas": .array(optimizer.betas.map(JSONValue.number)), "eps": .number(optimizer.eps),
        ]
        o["schedule"] = [
            "name": .string(schedule.name.rawValue), "warmup_epochs": .number(schedule.warmupEpochs),
            "step_size": .int(schedule.stepSize), "milestones": .array(schedule.milestones.map(JSONValue.int)),
            "gamma": .number(schedule.gamma), "min_lr": .number(schedule.minLR),
        ]
        o["epochs"] = .int(epochs)
        o["batch_size"] = .int(batchSize)
        o["eval_batch_size"] = .int(evalBatchSize)
        o["label_smoothing"] = .number(labelSmoothing)
        o["stop_on_nonfinite"] = .bool(stopOnNonfinite)
        o["output"] = ["dir": .string(output.dir), "keep_every": .int(output.keepEvery)]
        o["adversarial"] = adversarial.map(Self.json)
        o["evaluation"] = evaluation.map(Self.json)
        if quantize != .none { o["quantize"] = .string(quantize.rawValue) }  // absent when off: older configs stay as they were
        return .object(o)
    }

    /// A model object as JSON; the noise keys only when set (`ModelConfig.hasDefaultNoise`), so
    /// resolved configs of models without them stay as they were.
    static func json(_ m: ModelConfig) -> JSONValue {
        var o: JSONObject = ["name": .string(m.name), "dropout": .number(m.dropout)]
        if !m.hasDefaultNoise {
            o["head_dropout"] = .number(m.headDropout)
            o["stochastic_depth"] = .number(m.stochasticDepth)
        }
        return .object(o)
    }

    /// A parameter value as JSON (models become objects; numbers stay reals, integers ints).
    public static func json(_ value: ParamValue) -> JSONValue {
        switch value {
        case .number(let x): return .number(x)
        case .integer(let i): return .int(i)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .list(let items): return .array(items.map(json))
        case .model(let m): return json(m)
        case .object(let values):
            var o = JSONObject()
            for (key, v) in values { o[key] = json(v) }
            return .object(o)
        }
    }
}
