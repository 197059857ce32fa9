// Command-line declarations: options (flags, valued, repeatable), positionals and commands.
// A subcommand file declares one `Command`; the parser and the help text read only these.

/// One `--name` option.
struct Option {
    /// How many values the option takes.
    enum Arity {
        /// No value: present or not.
        case flag
        /// One value; given twice, the last wins.
        case single
        /// One value each time; every occurrence is kept.
        case repeated
    }

    /// Long name without dashes (`threads`).
    var name: String
    /// Optional one-letter alias (`-j`).
    var short: Character?
    /// Placeholder in help (`N`, `KEY=VALUE`); empty for flags.
    var valueName: String
    /// One-line help.
    var help: String
    /// Value used when the option is absent, also shown in help.
    var defaultValue: String?
    /// Flag, single or repeated.
    var arity: Arity

    /// A flag: `--json`.
    static func flag(_ name: String, short: Character? = nil, help: String) -> Option {
        Option(name: name, short: short, valueName: "", help: help, defaultValue: nil, arity: .flag)
    }

    /// An option with one value: `--threads N`.
    static func value(
        _ name: String, _ valueName: String, short: Character? = nil, default defaultValue: String? = nil,
        help: String
    ) -> Option {
        Option(name: name, short: short, valueName: valueName, help: help, defaultValue: defaultValue, arity: .single)
    }

    /// An option that may be given many times: `--set KEY=VALUE`.
    static func repeated(_ name: String, _ valueName: String, short: Character? = nil, help: String) -> Option {
        Option(name: name, short: short, valueName: valueName, help: help, defaultValue: nil, arity: .repeated)
    }

    /// `-s, --set KEY=VALUE` as help shows it.
    var synopsis: String {
        let long = "--" + name + (valueName.isEmpty ? "" : " " + valueName)
        return short.map { "-\($0), " + long } ?? long
    }
}

/// A positional argument (`CONFIG`).
struct Positional {
    /// Placeholder (`CONFIG`).
    var name: String
    /// One-line help.
    var help: String
    /// Whether it may be left out.
    var optional: Bool = false
    /// Whether it takes every remaining argument (must be last).
    var variadic: Bool = false

    /// `CONFIG`, `[OUT]`, `FILE...` as usage shows it.
    var synopsis: String {
        let base = name + (variadic ? "..." : "")
        return optional ? "[\(base)]" : base
    }
}

/// A subcommand.
struct Command {
    /// Name (`distill`).
    var name: String
    /// One-line summary for the command list.
    var abstract: String
    /// Usage line after `kdistill NAME`; generated from the options and positionals when nil.
    var usage: String?
    /// Paragraph shown under the usage line in `--help`.
    var discussion: String?
    /// Options (the program's global options are added by the parser).
    var options: [Option]
    /// Positionals, in order.
    var positionals: [Positional]

    /// A command.
    init(
        name: String, abstract: String, usage: String? = nil, discussion: String? = nil, options: [Option] = [],
        positionals: [Positional] = []
    ) {
        self.name = name
        self.abstract = abstract
        self.usage = usage
        self.discussion = discussion
        self.options = options
        self.positionals = positionals
    }
}
