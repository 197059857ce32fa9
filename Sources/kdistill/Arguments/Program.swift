// Program: the top level of the command line: global options, `--version`, `--help`,
// `help COMMAND`, choosing the subcommand (closest-name suggestion on a typo) and parsing it.

import KDTrain

/// The whole CLI: its commands and the options every command accepts.
struct Program {
    /// What the command line asks for.
    enum Invocation {
        /// Print this help text and exit 0.
        case help(String)
        /// Print this version line and exit 0.
        case version(String)
        /// Run `command` with `arguments`.
        case run(Command, ParsedArguments)
    }

    /// Executable name (`kdistill`).
    var name: String
    /// Version string (`0.1.0`).
    var version: String
    /// One-line description for the top-level help.
    var abstract: String
    /// Subcommands, in help order.
    var commands: [Command]
    /// Options every command accepts (`--threads N`), also accepted before the command name.
    var globalOptions: [Option]

    static let helpOption = Option.flag("help", short: "h", help: "show this help")

    /// `command` with the global options and `--help` added.
    func effective(_ command: Command) -> Command {
        var c = command
        for o in globalOptions + [Self.helpOption] where !c.options.contains(where: { $0.name == o.name }) {
            c.options.append(o)
        }
        return c
    }

    /// Parses the arguments after the executable name.
    func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        let top = Command(
            name: "", abstract: abstract,
            options: globalOptions + [.flag("version", help: "print the version"), Self.helpOption])
        var leading: [String] = []
        var k = 0
        while k < arguments.count, arguments[k].hasPrefix("-"), arguments[k] != "--" {
            leading.append(arguments[k])
            let option = top.options.first { "--" + $0.name == arguments[k] || $0.short.map { "-\($0)" } == arguments[k] }
            if let option, option.arity != .flag, k + 1 < arguments.count { k += 1; leading.append(arguments[k]) }
            k += 1
        }
        let globals = try ArgumentParser(command: top).parse(leading)
        if globals.flag("help") { return .help(helpText()) }
        if globals.flag("version") { return .version("\(name) \(version)") }
        guard k < arguments.count else {
            throw UsageError(message: "missing command; expected one of " + commands.map(\.name).joined(separator: ", "))
        }
        let commandName = arguments[k]
        let rest = Array(arguments[(k + 1)...])
        if commandName == "help" {
            guard let topic = rest.first else { return .help(helpText()) }
            return .help(helpText(for: try find(topic)))
        }
        let command = effective(try find(commandName))
        if rest.prefix(while: { $0 != "--" }).contains(where: { $0 == "--help" || $0 == "-h" }) {
            return .help(helpText(for: command))
        }
        var parsed = try ArgumentParser(command: command).parse(rest)
        for (key, values) in globals.values where parsed.values[key] == nil { parsed.values[key] = values }
        return .run(command, parsed)
    }

    /// The command called `name`, or an error suggesting the closest.
    func find(_ name: String) throws(UsageError) -> Command {
        guard let c = commands.first(where: { $0.name == name }) else {
            let names = commands.map(\.name)
            throw UsageError(message: "unknown command '\(name)'" + Suggestions.hint(for: name, among: names, listing: true))
        }
        return c
    }
}
