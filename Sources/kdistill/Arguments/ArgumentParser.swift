// ArgumentParser: turns one command's arguments into ParsedArguments. Accepts `--opt value`,
// `--opt=value`, `-o value`, `--` (everything after is positional); an unknown option is an
// error suggesting the closest known one.

import KDTrain

/// Parses the arguments of one command.
struct ArgumentParser {
    /// The command, with every option it accepts (global ones included).
    let command: Command

    /// Parses `arguments` (after the command name). `-h`/`--help` are not handled here.
    func parse(_ arguments: [String]) throws(UsageError) -> ParsedArguments {
        var result = ParsedArguments(command: command)
        var positionals: [String] = []
        var k = 0
        while k < arguments.count {
            let arg = arguments[k]
            k += 1
            if arg == "--" {
                positionals += arguments[k...]
                break
            }
            guard arg.hasPrefix("-"), arg != "-", !looksNumeric(arg) else {
                positionals.append(arg)
                continue
            }
            let (option, inline) = try lookup(arg)
            switch option.arity {
            case .flag:
                if inline != nil { throw failure("option '--\(option.name)' takes no value") }
                result.values[option.name, default: []].append("")
            case .single, .repeated:
                var value = inline
                if value == nil {
                    guard k < arguments.count else {
                        throw failure("option '--\(option.name)' needs a value \(option.valueName)")
                    }
                    value = arguments[k]
                    k += 1
                }
                result.values[option.name, default: []].append(value ?? "")
            }
        }
        try assign(positionals, to: &result)
        return result
    }

    func failure(_ message: String) -> UsageError { UsageError(message: message, command: command.name) }

    /// `-1`, `-0.5`: values, not options, unless a digit is declared as a short option.
    func looksNumeric(_ arg: String) -> Bool {
        guard let second = arg.dropFirst().first, second.isNumber else { return false }
        return !command.options.contains { $0.short == second }
    }

    /// The option an argument names, and its `=value` part if any.
    func lookup(_ arg: String) throws(UsageError) -> (Option, String?) {
        if arg.hasPrefix("--") {
            let body = arg.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard let option = command.options.first(where: { $0.name == name }) else {
                let known = command.options.map { "--" + $0.name }
                throw failure("unknown option '--\(name)'" + Suggestions.hint(for: "--" + name, among: known))
            }
            return (option, inline)
        }
        let letters = arg.dropFirst()
        guard let letter = letters.first,
            let option = command.options.first(where: { $0.short == letter })
        else {
            let known = command.options.compactMap { $0.short.map { "-\($0)" } } + command.options.map { "--" + $0.name }
            throw failure("unknown option '\(arg)'" + (arg.count > 2 ? Suggestions.hint(for: arg, among: known) : ""))
        }
        if letters.count == 1 { return (option, nil) }
        guard option.arity != .flag else { throw failure("unknown option '\(arg)' (short flags cannot be combined)") }
        return (option, String(letters.dropFirst()))
    }

    /// Fills the declared positionals in order; reports missing and surplus ones.
    func assign(_ values: [String], to result: inout ParsedArguments) throws(UsageError) {
        var rest = values[...]
        for p in command.positionals {
            if p.variadic {
                if rest.isEmpty && !p.optional { throw failure("missing \(p.name)") }
                result.positionalValues[p.name] = Array(rest)
                rest = []
            } else if let v = rest.first {
                result.positionalValues[p.name] = [v]
                rest = rest.dropFirst()
            } else if !p.optional {
                throw failure("missing \(p.name)")
            }
        }
        if let extra = rest.first { throw failure("unexpected argument '\(extra)'") }
    }
}
