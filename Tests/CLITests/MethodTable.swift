// MethodTable: one end-to-end case per distillation method (and at+kd), keyed by name: the config it
// needs, the loss columns metrics.jsonl must show, the runs summary.json nests and the stages of staged
// methods. All lenet5-sized, so the table trains in under a minute on two cores.

/// How one distillation method is run and what its run directory must show.
struct MethodCase {
    /// Where the students' results live in summary.json.
    enum Layout: Equatable {
        /// One student: summary.json is its own summary.
        case single
        /// A cohort: `members`, one per named run directory.
        case members([String])
        /// A pipeline: `runs`, in this order.
        case runs([String])
    }

    /// The method name as written in configs (`at+kd`); the table key.
    let name: String
    /// The config's `method` object without its name.
    let params: [String: Any]
    /// Whether the config names the shared teacher as `teacher`.
    let teacher: Bool
    /// Loss-term columns that must appear in metrics.jsonl (of every run).
    let terms: [String]
    /// Where the students are.
    let layout: Layout
    /// The `stage` column, epoch by epoch, for staged methods (nil: no stage column).
    let stages: [String]?
    /// The student: lenet5, or resnet8 (taught by the shared resnet8) for methods that read pre-ReLU BN taps.
    let student: String
    /// The config's `epochs` (stages a method adds on top make up MethodTable.epochs in all).
    let configEpochs: Int
    /// Keys added to the config's `data` (few-label methods: `labeled`).
    let data: [String: Any]

    init(
        _ name: String, _ params: [String: Any] = [:], teacher: Bool = true, terms: [String], layout: Layout = .single,
        stages: [String]? = nil, student: String = "lenet5", configEpochs: Int = MethodTable.epochs, data: [String: Any] = [:]
    ) {
        (self.name, self.params, self.teacher, self.terms, self.layout, self.stages, self.student) = (
            name, params, teacher, terms, layout, stages, student
        )
        (self.configEpochs, self.data) = (configEpochs, data)
    }

    /// Its config and run name: `at-kd`, and `tfkd-reg` for a case with a `variant`.
    var fileStem: String {
        name.replacingOccurrences(of: "+", with: "-") + ((params["variant"] as? String).map { "-" + $0 } ?? "")
    }

    /// The registered methods it is made of (`[at, kd]`).
    var parts: [String] { name.split(separator: "+").map(String.init) }
}

/// Paths of the shared teachers: two lenet5 (seeds 0 and 1), an early checkpoint of the first, and a
/// resnet8 (one epoch) for the methods that need a ResNet's taps.
struct SharedTeachers {
    let first: String
    let second: String
    let firstEpoch1: String
    let resnet8: String
}

enum MethodTable {
    /// Epochs of every case (fitnet's and fsp's first stage is one of them).
    static let epochs = 3

    /// Every case; `kdistill methods` must not list a method without one (census test).
    static func cases(_ t: SharedTeachers) -> [MethodCase] {
        [
            MethodCase("kd", terms: ["ce", "kd"]),
            MethodCase("dkd", ["warmup_epochs": 2, "logit_standardization": true], terms: ["ce", "tckd", "nckd"]),
            MethodCase("dist", terms: ["ce", "dist_inter", "dist_intra"]),
            MethodCase("fitnet", terms: ["hint", "ce", "kd"], stages: ["hint", "train", "train"]),
            MethodCase("at", terms: ["ce", "at"]),
            MethodCase("at+kd", terms: ["ce", "at", "kd"]),
            MethodCase("fsp", terms: ["fsp", "ce"], stages: ["fsp", "train", "train"]),
            MethodCase("rkd", terms: ["ce", "rkd_d", "rkd_a"]),
            MethodCase("sp", terms: ["ce", "sp"]),
            MethodCase("pkt", terms: ["ce", "pkt"]),
            MethodCase("cc", terms: ["ce", "cc"]),
            MethodCase("nst", terms: ["ce", "nst"]),
            MethodCase("kdsvd", terms: ["ce", "kdsvd"], student: "resnet8"),
            MethodCase("vid", terms: ["ce", "vid"]),
            MethodCase("crd", ["negatives": 256], terms: ["ce", "crd"]),
            MethodCase("ofd", terms: ["ce", "ofd"], student: "resnet8"),
            MethodCase("reviewkd", ["warmup_epochs": 1], terms: ["ce", "review"], student: "resnet8"),
            MethodCase(
                "ab", ["ab_epochs": 1], terms: ["ab", "ce"], stages: ["ab", "train", "train"], student: "resnet8", configEpochs: 2
            ),
            MethodCase(
                "ft", ["paraphraser_epochs": 1], terms: ["ft_rec", "ce", "ft"], stages: ["paraphraser", "train", "train"],
                configEpochs: 2),
            MethodCase(
                "dml", ["students": ["lenet5", "mlp-128"]], teacher: false, terms: ["ce", "peer"],
                layout: .members(["student1", "student2"])),
            MethodCase("eskd", ["kd_stop_epoch": 2], terms: ["ce", "kd"]),
            MethodCase("ban", ["generations": 2], terms: ["kd"], layout: .runs(["gen1", "gen2"])),
            MethodCase("ensemble", ["teachers": [t.first, t.second]], teacher: false, terms: ["ce", "kd"]),
            MethodCase("takd", ["assistant": "mlp-128"], terms: ["ce", "kd"], layout: .runs(["assistant", "student"])),
            MethodCase("tfkd", teacher: false, terms: ["ce"], layout: .runs(["self", "student"])),
            MethodCase("tfkd", ["variant": "reg"], teacher: false, terms: ["ce", "reg"]),
            MethodCase(
                "noisy-student", ["generations": 2, "unlabeled_ratio": 1], terms: ["ce", "pseudo"],
                layout: .runs(["generation1", "generation2"]), data: ["labeled": 500]),
            MethodCase(
                "mean-teacher", ["rampup_epochs": 1], teacher: false,
                terms: ["ce", "cons", "cons_weight", "ema_decay", "student_test_acc"]),
            MethodCase("ard", ["steps": 2, "ce_weight": 0.1], terms: ["ce", "kd"]),
            MethodCase("rslad", ["steps": 2], terms: ["adv", "nat"]),
        ]
    }

    /// The config of `c`: its student on 2,000 Fashion-MNIST images, `epochs` epochs.
    static func config(_ c: MethodCase, teachers t: SharedTeachers) -> [String: Any] {
        var method = c.params
        method["name"] = c.name
        var extra: [String: Any] = ["student": c.student, "method": method]
        if c.teacher { extra["teacher"] = c.name == "eskd" ? t.firstEpoch1 : c.student == "resnet8" ? t.resnet8 : t.first }
        var config = FastConfig.object(epochs: c.configEpochs, extra)
        if !c.data.isEmpty { config["data"] = (config["data"] as? [String: Any] ?? [:]).merging(c.data) { $1 } }
        return config
    }
}
