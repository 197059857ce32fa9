// Help text: the top-level command list and each command's usage, arguments and options, in
// aligned two-column layout.

extension Program {
    /// `kdistill --help`.
    func helpText() -> String {
        var out = "\(name) \(version): \(abstract)\n\n"
        let globals = globalOptions.map { "[" + $0.synopsis + "]" }.joined(separator: " ")
        out += "Usage: \(name) \(globals.isEmpty ? "" : globals + " ")COMMAND [options] [arguments]\n\n"
        out += "Commands:\n" + Self.columns(commands.map { ($0.name, $0.abstract) })
        let options = globalOptions + [.flag("version", help: "print the version"), Self.helpOption]
        out += "\nOptions:\n" + Self.columns(options.map { ($0.synopsis, Self.optionHelp($0)) })
        out += "\nRun '\(name) COMMAND --help' for a command's options.\n"
        return out
    }

    /// `kdistill COMMAND --help`.
    func helpText(for command: Command) -> String {
        let c = effective(command)
        let generated = (c.options.isEmpty ? [] : ["[options]"]) + c.positionals.map(\.synopsis)
        // A declared usage may start with `kdistill NAME` already; it is not repeated.
        var usage = c.usage ?? generated.joined(separator: " ")
        for prefix in ["\(name) \(c.name)", c.name] where usage == prefix || usage.hasPrefix(prefix + " ") {
            usage = String(usage.dropFirst(prefix.count).drop { $0 == " " })
            break
        }
        var out = "Usage: \(name) \(c.name) \(usage)\n\n\(c.abstract)\n"
        if let discussion = c.discussion { out += "\n\(discussion)\n" }
        if !c.positionals.isEmpty {
            out += "\nArguments:\n" + Self.columns(c.positionals.map { ($0.name, $0.help) })
        }
        out += "\nOptions:\n" + Self.columns(c.options.map { ($0.synopsis, Self.optionHelp($0)) })
        return out
    }

    /// Help of an option with its default and repeatability.
    static func optionHelp(_ o: Option) -> String {
        var text = o.help
        if let d = o.defaultValue { text += " (default: \(d))" }
        if o.arity == .repeated { text += " (repeatable)" }
        return text
    }

    /// Two aligned columns, indented by 2; a left cell wider than 26 puts its help on the next line.
    static func columns(_ rows: [(String, String)]) -> String {
        let width = min(26, rows.map(\.0.count).max() ?? 0)
        var out = ""
        for (left, right) in rows {
            if left.count > width {
                out += "  \(left)\n" + String(repeating: " ", count: width + 4) + right + "\n"
            } else {
                out += "  " + left + String(repeating: " ", count: width - left.count + 2) + right + "\n"
            }
        }
        return out
    }
}
