// ParsedArguments: what the parser found for one command, with typed getters that turn a bad
// value into a UsageError naming the option (`--threads: expected an integer >= 1, found 'x'`).

/// Options and positionals of one parsed command line.
struct ParsedArguments {
    /// The command they belong to.
    var command: Command
    /// Option name → every value given (flags: one empty string per occurrence).
    var values: [String: [String]] = [:]
    /// Positional name → its values (several only for a variadic positional).
    var positionalValues: [String: [String]] = [:]

    /// Whether flag `name` was given.
    func flag(_ name: String) -> Bool { values[name] != nil }

    /// The last value of option `name`, or its default.
    func string(_ name: String) -> String? {
        values[name]?.last ?? allOptions.first { $0.name == name }?.defaultValue
    }

    /// Every value of a repeated option, in order.
    func strings(_ name: String) -> [String] { values[name] ?? [] }

    /// Option `name` as an integer ≥ `min` (nil when absent without default).
    func int(_ name: String, min: Int? = nil) throws(UsageError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let v = Int(text), v >= (min ?? Int.min) else {
            throw UsageError(
                message: "--\(name): expected an integer\(min.map { " >= \($0)" } ?? ""), found '\(text)'",
                command: command.name)
        }
        return v
    }

    /// Option `name` as a finite number (nil when absent without default).
    func double(_ name: String) throws(UsageError) -> Double? {
        guard let text = string(name) else { return nil }
        guard let v = Double(text), v.isFinite else {
            throw UsageError(message: "--\(name): expected a number, found '\(text)'", command: command.name)
        }
        return v
    }

    /// Positional `name` (nil if optional and absent).
    func positional(_ name: String) -> String? { positionalValues[name]?.first }

    /// Every value of variadic positional `name`.
    func positionals(_ name: String) -> [String] { positionalValues[name] ?? [] }

    private var allOptions: [Option] { command.options }
}
