// CacheCommand: `kdistill cache list` and `kdistill cache clear [--all | KEY_PREFIX]`: the persistent
// teacher cache that `cache_teacher: true` runs share ($KDISTILL_CACHE, default ~/.cache/kdistill/teachers).

import KDTrain

enum CacheCommand: Subcommand {
    static let spec = Command(
        name: "cache", abstract: "list or clear the on-disk teacher cache shared by cache_teacher runs",
        usage: "kdistill cache list | kdistill cache clear (--all | KEY_PREFIX) [--dir DIR]",
        discussion: """
            A run with cache_teacher: true stores its teacher's training-set logits and taps in one file per \
            key (teacher checkpoint bytes, architecture, the exact normalised training images in order, taps) \
            and later runs map that file instead of running the teacher. Location: $KDISTILL_CACHE (off: \
            none), else $XDG_CACHE_HOME/kdistill/teachers or ~/.cache/kdistill/teachers. Size limit: \
            $KDISTILL_CACHE_LIMIT (default 4G); least recently used entries not in use are evicted. list: one \
            line per entry (key prefix, teacher architecture and path, dataset/split and N, taps, size, last \
            use). clear: removes entries; those a running process reads are kept.
            """,
        options: [
            .flag("all", help: "clear every entry"),
            .value("dir", "DIR", help: "the cache directory (default: $KDISTILL_CACHE or ~/.cache/kdistill/teachers)"),
        ],
        positionals: [
            Positional(name: "ACTION", help: "list or clear"),
            Positional(name: "KEY_PREFIX", help: "clear: the entries whose key starts with this", optional: true),
        ])

    static func run(_ args: ParsedArguments) throws {
        let dir = args.string("dir"), prefix = args.positional("KEY_PREFIX")
        switch args.positional("ACTION") ?? "" {
        case "list":
            if prefix != nil || args.flag("all") {
                throw UsageError(message: "cache list takes no KEY_PREFIX or --all", command: "cache")
            }
            for line in try CacheMaintenance.list(directory: dir) { print(line) }
        case "clear":
            guard args.flag("all") != (prefix != nil) else {
                throw UsageError(message: "cache clear needs either --all or a KEY_PREFIX", command: "cache")
            }
            if let prefix, prefix.isEmpty || !prefix.allSatisfy(\.isHexDigit) {
                throw UsageError(
                    message: "cache clear: KEY_PREFIX must be hex digits (from kdistill cache list), found '\(prefix)'",
                    command: "cache")
            }
            print(try CacheMaintenance.clear(directory: dir, prefix: prefix))
        case let other:
            throw UsageError(message: "cache: expected list or clear, found '\(other)'", command: "cache")
        }
    }
}
