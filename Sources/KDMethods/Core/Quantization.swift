// Quantization: the `quantize` option, declared once: `method.quantize` of every single-student method and
// train-teacher's top-level `quantize` read this one declaration. `int8` trains the network fake-quantized.

/// What the trained network is quantized to during training.
public enum QuantizeMode: String, CaseIterable, Sendable {
    /// Float training.
    case none
    /// Quantization-aware training: weights and activations fake-quantized to int8 (Int8Scheme) with the
    /// straight-through estimator; evaluation runs the int8-simulated network.
    case int8
}

/// The `quantize` option: its declaration, its reading, and which methods declare it.
public enum Quantization {
    /// Papers behind the option: QAT itself and quantized distillation.
    public static let citation =
        "Jacob et al. 2018 (quantization-aware training); Polino et al. 2018, Mishra & Marr 2018 (Apprentice: "
        + "distilling into a low-precision student)"

    /// `quantize`, default `none`.
    public static let param = ParamSpec(
        "quantize", .string(choices: QuantizeMode.allCases.map(\.rawValue)), default: .value(.string(QuantizeMode.none.rawValue)),
        doc: "int8: quantization-aware training (\(citation)): weights (per channel) and every conv/linear input "
            + "fake-quantized with the straight-through estimator; the float teacher teaches the int8-simulated "
            + "student, and evaluation and checkpoints are int8-simulated")

    /// The mode `p` asks for (none when the method does not declare `quantize`).
    public static func mode(_ p: ParamValues) -> QuantizeMode {
        (try? p.string("quantize")).flatMap(QuantizeMode.init(rawValue:)) ?? .none
    }

    /// `entry` with `quantize` declared when it trains one student (`.single`); cohorts, pipelines and the
    /// variant-shaped tfkd train several networks or a chain of runs and do not declare it.
    static func declaring(_ entry: MethodEntry) -> MethodEntry {
        guard case .single = entry.shape else { return entry }
        return MethodEntry(
            name: entry.name, citation: entry.citation, summary: entry.summary, params: entry.params + [param],
            teacher: entry.teacher, combine: entry.combine, teacherCheckpoints: entry.teacherCheckpoints, shape: entry.shape)
    }

    /// Why `method.quantize` is refused for a method whose shape is `shape` (`cohort`, `pipeline`).
    public static func refusal(method: String, shape: String) -> String {
        "int8 quantization-aware training applies to single-student methods (kd, dkd, at+kd, ...) and to "
            + "train-teacher's top-level quantize; \(method) is a \(shape) method"
    }
}
