// ConfigError: every problem with an experiment config, as one line naming the file, the key path
// (marked when a `--set` override put the value there), what was expected and what was found.

import KDMethods

/// A bad config: `configs/x.json: optimizer.lr: expected a number > 0, found -0.1`.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The config file (or `--set` for override syntax); may be empty.
    public var source: String
    /// Key path (`optimizer.betas[1]`); empty for file-level problems (syntax, unreadable file).
    public var path: String
    /// What was expected and what was found.
    public var message: String
    /// Whether the offending value came from a `--set` override.
    public var fromOverride: Bool

    /// An error at `path` of `source`.
    public init(source: String, path: String = "", message: String, fromOverride: Bool = false) {
        self.source = source
        self.path = path
        self.message = message
        self.fromOverride = fromOverride
    }

    /// `source: path (from --set): message`, leaving out empty parts.
    public var description: String {
        var parts: [String] = []
        if !source.isEmpty { parts.append(source) }
        if !path.isEmpty { parts.append(fromOverride ? path + " (from --set)" : path) }
        parts.append(message)
        return parts.joined(separator: ": ").replacingControlCharacters()
    }
}
