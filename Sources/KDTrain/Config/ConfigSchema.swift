// ConfigSchema: the experiment config declared once, as ParamSpecs. The decoder, the defaults,
// `--set` and the JSON Schema export all read this list; ExperimentConfig mirrors it in types.

import KDData
import KDMethods

/// The declarative schema of an experiment config (keys in the order resolved configs use).
public enum ConfigSchema {
    /// Dataset names accepted by `data.dataset`.
    public static let datasets = DatasetName.allCases.map(\.rawValue)

    /// An object-valued key whose absence means "all defaults of `specs`".
    static func group(_ name: String, _ specs: [ParamSpec], doc: String) -> ParamSpec {
        ParamSpec(name, .object(specs), default: .value(.object(ParamValues(defaults: specs))), doc: doc)
    }

    /// Keys of `data`.
    public static let data: [ParamSpec] =
        [
            ParamSpec("dataset", .string(choices: datasets), default: .required, doc: "which dataset to train and test on"),
            ParamSpec("dir", .string(), default: .absent, doc: "directory of the dataset files (default: data/<dataset>)"),
            ParamSpec(
                "validation", .integer(.nonNegative), default: 0,
                doc: "training images held out for validation (0: report test accuracy)"),
            ParamSpec("limit", .integer(.positive), default: .absent, doc: "use only the first N training images (absent: all)"),
            ParamSpec("test_limit", .integer(.positive), default: .absent, doc: "use only the first N test images (absent: all)"),
            ParamSpec("normalize", .boolean, default: true, doc: "subtract the per-channel mean and divide by the std"),
            ParamSpec(
                "labels", .string(choices: LabelGranularity.allCases.map(\.rawValue)), default: "fine",
                doc: "cifar100 label set: fine (100 classes) or coarse (20)"),
            ParamSpec(
                "imbalance", .object(imbalance, shorthand: "ratio"), default: .absent,
                doc: "train on a long-tailed, seeded subset: the class at position i of order keeps "
                    + "floor(n_max * ratio^(-i/(K-1))) images (Cui et al. 2019); validation and test stay balanced"),
            ParamSpec(
                "labeled", .object(labeled, shorthand: "size"), default: .absent,
                doc: "keep the labels of a class-balanced, seeded subset of the training images only (a fraction "
                    + "below 1 or a count); ce sees the labelled images, distillation terms every image"),
            ParamSpec(
                "transfer", .object(transfer, shorthand: "dataset"), default: .absent,
                doc: "distill on these images (labels hidden) instead of the training set: Hinton et al.'s transfer set"),
        ] + viewKeys + [
            group(
                "augment",
                [
                    ParamSpec(
                        "crop_padding", .integer(.nonNegative), default: 0,
                        doc: "random crop after zero padding by N pixels (0: off)"
                    ),
                    ParamSpec("flip", .boolean, default: false, doc: "random horizontal flips"),
                ], doc: "training-time augmentation")
        ]

    /// Keys of `data.imbalance` (beyond.md 3.4); a bare number is the ratio.
    public static let imbalance: [ParamSpec] = [
        ParamSpec(
            "ratio", .number(NumberBounds(min: 1)), default: 100,
            doc: "largest over smallest class count (1: every class at the smallest class count)"),
        ParamSpec(
            "order", .list(.integer(.nonNegative)), default: .absent,
            doc: "the classes from head to tail, each label once (absent: label order)"),
        ParamSpec("seed", .integer(.nonNegative), default: .absent, doc: "seed of the choice (absent: the run's seed)"),
    ]

    /// Keys of `data.labeled` (beyond.md 1.1): exactly one of size, count, fraction and per_class.
    public static let labeled: [ParamSpec] = [
        ParamSpec(
            "size", .number(.positive), default: .absent,
            doc: "a fraction of the training images when below 1, a count when a whole number >= 1 (the bare-number form)"),
        ParamSpec("count", .integer(.positive), default: .absent, doc: "labelled images in all"),
        ParamSpec(
            "fraction", .number(NumberBounds(min: 0, minInclusive: false, max: 1)), default: .absent,
            doc: "labelled share of the training images"),
        ParamSpec("per_class", .integer(.positive), default: .absent, doc: "labelled images of every class"),
        ParamSpec("seed", .integer(.nonNegative), default: .absent, doc: "seed of the choice (absent: the run's seed)"),
        ParamSpec(
            "per_batch", .integer(.positive), default: .absent,
            doc: "labelled images in every batch, the rest unlabelled (two streams; absent: shuffled together)"),
        ParamSpec(
            "ce_reduction", .string(choices: CEReduction.allCases.map(\.rawValue)), default: "batch",
            doc: "cross-entropy over the labelled samples divided by the batch size or by their number"),
    ]

    /// Keys of `data.transfer` (beyond.md 1.2).
    public static let transfer: [ParamSpec] = [
        ParamSpec("dataset", .string(choices: datasets), default: .absent, doc: "its dataset (absent: data.dataset)"),
        ParamSpec(
            "dir", .string(), default: .absent,
            doc: "directory of its files (absent: data.dir for data.dataset, else data/<dataset>)"),
        ParamSpec(
            "split", .string(choices: Split.allCases.map(\.rawValue)), default: "train",
            doc: "which split (of data.dataset itself only train, without the validation hold-out)"),
        ParamSpec("exclude_classes", .list(.integer(.nonNegative)), default: .value([]), doc: "leave these classes out"),
        ParamSpec("include_classes", .list(.integer(.nonNegative)), default: .value([]), doc: "keep only these classes"),
        ParamSpec("limit", .integer(.positive), default: .absent, doc: "a class-stratified, seeded subset of N images"),
        ParamSpec(
            "include_labeled", .boolean, default: false,
            doc: "also train on data.dataset's (labelled) training images, with ce"),
        ParamSpec("seed", .integer(.nonNegative), default: .absent, doc: "seed of `limit` (absent: the run's seed)"),
    ]

    /// Keys of `teacher`.
    public static let teacher: [ParamSpec] = [
        ParamSpec("checkpoint", .string(), default: .absent, doc: "the teacher's safetensors checkpoint"),
        ParamSpec(
            "model", .model, default: .absent,
            doc: "the teacher's architecture when the checkpoint does not name it (e.g. from PyTorch)"),
        ParamSpec("train_bn", .boolean, default: false, doc: "run the teacher's batch norm in train mode"),
    ]

    /// Keys of `optimizer`.
    public static let optimizer: [ParamSpec] = [
        ParamSpec("name", .string(choices: OptimizerName.allCases.map(\.rawValue)), default: "sgd", doc: "optimizer"),
        ParamSpec("lr", .number(.positive), default: 0.05, doc: "peak learning rate"),
        ParamSpec("momentum", .number(.fraction), default: 0.9, doc: "SGD momentum"),
        ParamSpec("nesterov", .boolean, default: false, doc: "Nesterov momentum (SGD)"),
        ParamSpec(
            "weight_decay", .number(.nonNegative), default: 5e-4,
            doc: "L2 penalty (SGD, Adam) or decoupled decay (AdamW)"),
        ParamSpec("betas", .list(.number(.fraction), count: 2), default: .value([0.9, 0.999]), doc: "Adam betas"),
        ParamSpec("eps", .number(.positive), default: 1e-8, doc: "Adam epsilon"),
    ]

    /// Keys of `schedule`.
    public static let schedule: [ParamSpec] = [
        ParamSpec(
            "name", .string(choices: ScheduleName.allCases.map(\.rawValue)), default: "cosine",
            doc: "learning-rate schedule"),
        ParamSpec("warmup_epochs", .number(.nonNegative), default: 0, doc: "linear warm-up from 0 over this many epochs"),
        ParamSpec("step_size", .integer(.positive), default: 30, doc: "step: multiply by gamma every N epochs"),
        ParamSpec(
            "milestones", .list(.integer(.positive)), default: .value([]),
            doc: "multistep: epochs after which the rate is multiplied by gamma"),
        ParamSpec("gamma", .number(.positive), default: 0.1, doc: "step and multistep factor"),
        ParamSpec("min_lr", .number(.nonNegative), default: 0, doc: "cosine: final learning rate"),
    ]

    /// Keys of `output`.
    public static let output: [ParamSpec] = [
        ParamSpec("dir", .string(), default: .absent, doc: "run directory (default: runs/<name>)"),
        ParamSpec("keep_every", .integer(.nonNegative), default: 0, doc: "also keep every N-th epoch's checkpoint (0: off)"),
    ]

    /// The top-level keys.
    public static let fields: [ParamSpec] = [
        ParamSpec("name", .string(), default: .absent, doc: "run name (default: the config file's base name)"),
        ParamSpec("seed", .integer(.nonNegative), default: 0, doc: "random seed for initialisation, shuffling and augmentation"),
        ParamSpec("threads", .integer(.positive), default: .absent, doc: "worker threads (absent: all cores)"),
        ParamSpec("description", .string(), default: .absent, doc: "free text about the experiment"),
        group("data", data, doc: "the dataset"),
        ParamSpec("model", .model, default: .absent, doc: "the model train-teacher trains"),
        ParamSpec(
            "teacher", .object(teacher, shorthand: "checkpoint"), default: .absent,
            doc: "the frozen teacher of distill (or its checkpoint path)"),
        ParamSpec("student", .model, default: .absent, doc: "the model distill trains"),
        ParamSpec(
            "method", .method, default: .absent,
            doc: "distillation method: its name (`kd`, `at+kd`) and parameters"),
        group("optimizer", optimizer, doc: "the optimizer"),
        group("schedule", schedule, doc: "the learning-rate schedule (per epoch)"),
        ParamSpec("epochs", .integer(.positive), default: 10, doc: "training epochs"),
        ParamSpec("batch_size", .integer(.positive), default: 128, doc: "training batch size"),
        ParamSpec("eval_batch_size", .integer(.positive), default: 1000, doc: "evaluation batch size"),
        ParamSpec("label_smoothing", .number(.fraction), default: 0, doc: "label smoothing of the cross-entropy term"),
        ParamSpec(
            "stop_on_nonfinite", .boolean, default: true,
            doc: "stop when the loss becomes NaN or infinite, or explodes past 10^6 times its stage's first value"),
        group("output", output, doc: "where the run is written"),
        ParamSpec(
            "adversarial", .object(adversarial), default: .absent,
            doc: "train-teacher on attacks against the model (Madry et al. 2018): a robust teacher or baseline"),
        ParamSpec("evaluation", .object(evaluation), default: .absent, doc: "robustness figures of the finished run"),
        trainTeacherQuantize,
    ]

    /// train-teacher's `quantize`: the one declaration of `method.quantize` (a from-scratch QAT baseline).
    static var trainTeacherQuantize: ParamSpec {
        var spec = Quantization.param
        spec.doc = "train-teacher only (distill: method.quantize): " + spec.doc
        return spec
    }

    /// Every key path of the schema, depth first (`data`, `data.dataset`, ..., `output.keep_every`);
    /// model objects contribute `name`, `dropout`, `head_dropout` and
    /// `stochastic_depth`; method parameters are not included.
    public static var keyPaths: [String] { keyPaths(fields, prefix: "") }

    static func keyPaths(_ specs: [ParamSpec], prefix: String) -> [String] {
        specs.flatMap { spec -> [String] in
            let path = prefix + spec.name
            switch spec.kind {
            case .object(let nested, _): return [path] + keyPaths(nested, prefix: path + ".")
            case .model: return [path] + keyPaths(ModelConfig.specs, prefix: path + ".")
            case .method: return [path, path + ".name"]
            default: return [path]
            }
        }
    }
}
