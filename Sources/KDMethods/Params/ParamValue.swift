// ParamValue: one resolved parameter value (numbers, integers, booleans, strings, lists, models,
// nested objects), and ModelConfig, the `{"name", "dropout", "head_dropout", "stochastic_depth"}` model
// object of configs.

/// A zoo model as a config names it: `{"name": "resnet20", "dropout": 0}`.
public struct ModelConfig: Equatable, Sendable {
    /// Zoo name (`resnet20`, `lenet5`, `mlp-800-800`, `wrn-16-2`).
    public var name: String
    /// Dropout probability in [0, 1) after hidden ReLUs (used by MLPs).
    public var dropout: Double
    /// Dropout probability in [0, 1) on the classifier's input (any model; for an MLP it replaces
    /// `dropout` after the last hidden ReLU when set).
    public var headDropout: Double
    /// Survival probability in (0, 1] of the last residual block (Huang et al. 2016; 1: off).
    public var stochasticDepth: Double

    /// A model named `name` with `dropout` and `headDropout` (default 0) and `stochasticDepth` (default 1).
    public init(name: String, dropout: Double = 0, headDropout: Double = 0, stochasticDepth: Double = 1) {
        self.name = name
        self.dropout = dropout
        self.headDropout = headDropout
        self.stochasticDepth = stochasticDepth
    }

    /// Whether the training-only noise keys are at their defaults (then they are left out of resolved
    /// configs, so configs and checkpoints of models without them are written as before).
    public var hasDefaultNoise: Bool { headDropout == 0 && stochasticDepth == 1 }

    /// The keys of a model object, as declarations (the name is validated against the zoo separately).
    public static let specs: [ParamSpec] = [
        ParamSpec("name", .string(), default: .required, doc: "zoo model name (resnet20, lenet5, mlp-800-800, wrn-16-2)"),
        ParamSpec("dropout", .number(.fraction), default: 0, doc: "dropout probability after hidden ReLUs (MLPs)"),
        ParamSpec(
            "head_dropout", .number(.fraction), default: 0,
            doc: "dropout probability on the classifier's input, training only (for MLPs it replaces dropout there)"),
        ParamSpec(
            "stochastic_depth", .number(.survival), default: 1,
            doc: "survival probability of the last residual block, linear decay from 1 (Huang et al. 2016); "
                + "1: off; residual models only"),
    ]
}

/// A resolved parameter value.
public indirect enum ParamValue: Equatable, Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral
{
    /// A real number.
    case number(Double)
    /// An integer.
    case integer(Int)
    /// A boolean.
    case bool(Bool)
    /// A string.
    case string(String)
    /// A list.
    case list([ParamValue])
    /// A model object.
    case model(ModelConfig)
    /// A nested object (also a method object: its `name` plus params).
    case object(ParamValues)

    /// `0.5`.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// `4`.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// `true`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `"cosine"`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `[0.9, 0.999]`.
    public init(arrayLiteral elements: ParamValue...) { self = .list(elements) }

    /// The value as a number (integers widen), if it is one.
    public var doubleValue: Double? {
        switch self {
        case .number(let x): return x
        case .integer(let i): return Double(i)
        default: return nil
        }
    }

    /// What the value is, for messages: `a number`, `a list`.
    public var typeName: String {
        switch self {
        case .number: return "a number"
        case .integer: return "an integer"
        case .bool: return "a boolean"
        case .string: return "a string"
        case .list: return "a list"
        case .model: return "a model"
        case .object: return "an object"
        }
    }

    /// JSON-like text for help and messages: `4`, `0.5`, `"cosine"`, `[0.9, 0.999]`.
    public var text: String {
        switch self {
        case .number(let x): return formatBound(x)
        case .integer(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return "\"" + s + "\""
        case .list(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .model(let m):
            var text = "{\"name\": \"\(m.name)\", \"dropout\": \(formatBound(m.dropout))"
            if !m.hasDefaultNoise {
                text += ", \"head_dropout\": \(formatBound(m.headDropout))"
                text += ", \"stochastic_depth\": \(formatBound(m.stochasticDepth))"
            }
            return text + "}"
        case .object(let o):
            return "{" + o.map { "\"\($0.name)\": \($0.value.text)" }.joined(separator: ", ") + "}"
        }
    }
}
